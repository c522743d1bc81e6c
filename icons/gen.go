//go:build ignore

// gen draws the tray icons: a round badge in the state's colour with a white
// glyph, anti-aliased by supersampling signed-distance shapes. It writes
// <kind>-22.png (the tray icon, see trayPixels), <kind>-64.png and <kind>.ico
// (16 to 64 px) into -out.
//
//	go run gen.go [-out dir]
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

type glyph int

const (
	glyphE    glyph = iota // eHealth "e": a session exists or could
	glyphBang              // "!": cannot start, the reason is in the menu
	glyphDots              // "…": connecting
)

type badge struct {
	name  string
	fill  color.NRGBA
	glyph glyph
}

// The names match icons.Kind.name(). Fills are dark enough for a white glyph
// and bright enough to stand out on a dark panel; the darker rim keeps the
// edge visible on a light one.
var badges = []badge{
	{"active", color.NRGBA{0x2e, 0x9e, 0x44, 0xff}, glyphE},
	{"none", color.NRGBA{0xd3, 0x2f, 0x2f, 0xff}, glyphE},
	{"ending-soon", color.NRGBA{0xef, 0x7d, 0x00, 0xff}, glyphE},
	{"connecting", color.NRGBA{0x8a, 0x8f, 0x98, 0xff}, glyphDots},
	{"problem", color.NRGBA{0xd3, 0x2f, 0x2f, 0xff}, glyphBang},
}

var icoSizes = []int{16, 20, 24, 32, 48, 64}

func main() {
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	for _, b := range badges {
		write(filepath.Join(*out, b.name+"-22.png"), encodePNG(trayPixels(b.render(22))))
		write(filepath.Join(*out, b.name+"-64.png"), encodePNG(b.render(64)))
		write(filepath.Join(*out, b.name+".ico"), encodeICO(b))
	}
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

// trayPixels returns img as 16-bit pixels that survive fyne.io/systray
// v1.12.2 on Linux. It sends each channel as byte(c) of the premultiplied
// 16-bit value color.RGBA() returns, the low byte instead of the high one:
// the anti-aliased edge of an 8-bit image turns into coloured noise. Here the
// low bits of every 16-bit channel are chosen so that this byte is the
// straight 8-bit value the StatusNotifierItem spec expects, while the high
// byte stays within a few steps of it for every other reader.
func trayPixels(img *image.NRGBA) *image.NRGBA64 {
	out := image.NewNRGBA64(img.Bounds())
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			c := img.NRGBAAt(x, y)
			a := uint32(c.A) * 0x101 // low byte == c.A
			out.SetNRGBA64(x, y, color.NRGBA64{
				R: lowByteAs(c.R, a), G: lowByteAs(c.G, a), B: lowByteAs(c.B, a), A: uint16(a),
			})
		}
	}
	return out
}

// lowByteAs returns the 16-bit value v nearest v8*0x101 for which
// byte(v*a/0xffff), systray's computation, is v8.
func lowByteAs(v8 uint8, a uint32) uint16 {
	if a == 0 {
		return 0 // invisible
	}
	want := int(v8) * 0x101
	for d := 0; d <= 0xffff; d++ {
		for _, v := range []int{want - d, want + d} {
			if v >= 0 && v <= 0xffff && uint8(uint32(v)*a/0xffff) == v8 {
				return uint16(v)
			}
		}
	}
	log.Fatalf("no 16-bit value sends %d at alpha %d", v8, a)
	return 0
}

// encodeICO writes an ICO whose entries are PNG streams (Windows Vista and later).
func encodeICO(b badge) []byte {
	var imgs [][]byte
	for _, s := range icoSizes {
		imgs = append(imgs, encodePNG(b.render(s)))
	}
	var buf bytes.Buffer
	le := binary.LittleEndian
	binary.Write(&buf, le, [3]uint16{0, 1, uint16(len(imgs))}) // reserved, type icon, count
	offset := 6 + 16*len(imgs)
	for i, data := range imgs {
		s := uint8(icoSizes[i])
		binary.Write(&buf, le, struct {
			W, H, Colors, Reserved uint8
			Planes, BitCount       uint16
			Size, Offset           uint32
		}{s, s, 0, 0, 1, 32, uint32(len(data)), uint32(offset)})
		offset += len(data)
	}
	for _, data := range imgs {
		buf.Write(data)
	}
	return buf.Bytes()
}

// render draws the badge at size×size pixels, 8×8 samples per pixel.
func (b badge) render(size int) *image.NRGBA {
	const ss = 8
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	rim := darken(b.fill, 0.72)
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	// Badge coordinates: centre 0,0, radius 1, y down. Half a pixel of margin.
	scale := float64(size)/2 - 0.5
	rimWidth := 1.0 / scale // one pixel at any size
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, bl, a float64 // premultiplied sums
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px)+(float64(sx)+0.5)/ss)/scale - float64(size)/2/scale
					y := (float64(py)+(float64(sy)+0.5)/ss)/scale - float64(size)/2/scale
					d := math.Hypot(x, y)
					var c color.NRGBA
					switch {
					case d > 1:
						continue
					case b.glyphAt(x, y):
						c = white
					case d > 1-rimWidth:
						c = rim
					default:
						c = b.fill
					}
					r += float64(c.R)
					g += float64(c.G)
					bl += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(bl / a)),
				A: uint8(math.Round(255 * a / (ss * ss))),
			})
		}
	}
	return img
}

// glyphAt reports whether badge point x,y lies on the white glyph.
func (b badge) glyphAt(x, y float64) bool {
	switch b.glyph {
	case glyphBang:
		return segmentDist(x, y, 0, -0.52, 0, 0.1) < 0.12 || math.Hypot(x, y-0.44) < 0.14
	case glyphDots:
		for _, cx := range []float64{-0.45, 0, 0.45} {
			if math.Hypot(x-cx, y) < 0.15 {
				return true
			}
		}
		return false
	default: // "e": a bar across a ring open at the lower right
		const r, half = 0.46, 0.11
		if segmentDist(x, y, -r, 0, r, 0) < half {
			return true
		}
		return arcDist(x, y, r, 0.2, 0.95) < half
	}
}

// segmentDist is the distance from x,y to the segment a–b.
func segmentDist(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-ax-t*dx, y-ay-t*dy)
}

// arcDist is the distance from x,y to the circle of radius r minus the gap
// between angles gapFrom and gapTo (radians, y down, so positive is below).
func arcDist(x, y, r, gapFrom, gapTo float64) float64 {
	if th := math.Atan2(y, x); th <= gapFrom || th >= gapTo {
		return math.Abs(math.Hypot(x, y) - r)
	}
	// In the gap: the nearest end of the arc.
	return math.Min(
		math.Hypot(x-r*math.Cos(gapFrom), y-r*math.Sin(gapFrom)),
		math.Hypot(x-r*math.Cos(gapTo), y-r*math.Sin(gapTo)))
}

func darken(c color.NRGBA, f float64) color.NRGBA {
	return color.NRGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), c.A}
}
