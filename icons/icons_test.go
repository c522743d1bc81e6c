package icons

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var kinds = []Kind{KindNone, KindActive, KindEndingSoon, KindConnecting, KindProblem}

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// hue classifies the badge colour just inside the left edge, clear of the glyph.
func hue(img image.Image) string {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+b.Dx()/8+1, b.Min.Y+b.Dy()/2).RGBA()
	r, g, bl = r>>8, g>>8, bl>>8
	switch {
	case g > r && g > bl:
		return "green"
	case r > 200 && g > 100:
		return "orange"
	case r > 150 && g < 80:
		return "red"
	case max(r, g, bl)-min(r, g, bl) < 30:
		return "grey"
	}
	return "other"
}

func TestFiles(t *testing.T) {
	want := map[Kind]string{
		KindNone: "red", KindActive: "green", KindEndingSoon: "orange",
		KindConnecting: "grey", KindProblem: "red",
	}
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			for _, c := range []struct {
				data []byte
				size int
			}{{PNG(k), 22}, {LargePNG(k), 64}} {
				img := decode(t, c.data)
				if got := img.Bounds().Dx(); got != c.size || img.Bounds().Dy() != c.size {
					t.Errorf("size %v, want %d", img.Bounds(), c.size)
				}
				if got := hue(img); got != want[k] {
					t.Errorf("%dpx badge is %s, want %s", c.size, got, want[k])
				}
				// Round badge: corners transparent, centre opaque.
				if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
					t.Errorf("%dpx corner alpha %d, want 0", c.size, a)
				}
				if _, _, _, a := img.At(c.size/2, c.size/2).RGBA(); a != 0xffff {
					t.Errorf("%dpx centre alpha %d, want opaque", c.size, a)
				}
			}
			checkICO(t, ICO(k))
		})
	}
}

// The two red badges must differ in their glyph: "no session" and "problem"
// cannot look alike.
func TestProblemDiffersFromNone(t *testing.T) {
	if bytes.Equal(PNG(KindNone), PNG(KindProblem)) {
		t.Fatal("KindNone and KindProblem share an icon")
	}
}

func TestUnknownKind(t *testing.T) {
	if PNG(Kind(99)) != nil || LargePNG(Kind(-1)) != nil || ICO(Kind(99)) != nil {
		t.Error("unknown kind returned an icon")
	}
	if Kind(99).String() != "unknown" {
		t.Errorf("String() = %q", Kind(99).String())
	}
}

func checkICO(t *testing.T, data []byte) {
	t.Helper()
	var hdr [3]uint16
	if err := binary.Read(bytes.NewReader(data), binary.LittleEndian, &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0 || hdr[1] != 1 || hdr[2] == 0 {
		t.Fatalf("ICO header %v", hdr)
	}
	sizes := map[int]bool{}
	for i := range int(hdr[2]) {
		e := data[6+16*i : 6+16*(i+1)]
		w := int(e[0])
		size := binary.LittleEndian.Uint32(e[8:])
		off := binary.LittleEndian.Uint32(e[12:])
		if int(off+size) > len(data) {
			t.Fatalf("entry %d runs past the end", i)
		}
		img := decode(t, data[off:off+size])
		if img.Bounds().Dx() != w {
			t.Errorf("entry %d says %dpx, holds %v", i, w, img.Bounds())
		}
		sizes[w] = true
	}
	for _, s := range []int{16, 32} {
		if !sizes[s] {
			t.Errorf("ICO lacks %dpx, Windows' tray sizes", s)
		}
	}
}

// TestGenerated runs gen.go and checks the committed files hold the same pixels.
func TestGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gen.go")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command(goTool, "run", "gen.go", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, out)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil || len(names) != 2*len(kinds) {
		t.Fatalf("gen.go wrote %d PNGs (%v), want %d", len(names), err, 2*len(kinds))
	}
	for _, n := range names {
		fresh, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := files.ReadFile(filepath.Base(n))
		if err != nil {
			t.Fatalf("%s is not committed: %v", filepath.Base(n), err)
		}
		if !samePixels(decode(t, fresh), decode(t, committed)) {
			t.Errorf("%s differs from gen.go's output: run go generate ./icons", filepath.Base(n))
		}
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.NRGBA64Model.Convert(a.At(x, y)) != color.NRGBA64Model.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// fyne.io/systray sends byte(c) of each premultiplied 16-bit channel; for the
// tray PNG that byte must be the pixel's straight 8-bit value, near enough to
// look the same once composited (gen.go, trayPixels).
func TestTrayPNGSurvivesSystray(t *testing.T) {
	for _, k := range kinds {
		img := decode(t, PNG(k))
		edge := 0
		for y := range 22 {
			for x := range 22 {
				c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
				r, g, b, a := img.At(x, y).RGBA()
				if c.A == 0 {
					continue
				}
				if c.A != 0xffff {
					edge++
				}
				// Compare as composited: an error weighs by the pixel's alpha.
				alpha := int(c.A >> 8)
				for i, sent := range []uint32{r, g, b, a} {
					want := []uint16{c.R, c.G, c.B, c.A}[i] >> 8
					if d := (int(uint8(sent)) - int(want)) * alpha / 255; d < -2 || d > 2 {
						t.Fatalf("%s (%d,%d) channel %d: systray sends %d, the image shows %d", k, x, y, i, uint8(sent), want)
					}
				}
			}
		}
		if edge == 0 {
			t.Errorf("%s: no anti-aliased edge pixels to check", k)
		}
	}
}
