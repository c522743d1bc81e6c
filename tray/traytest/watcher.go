package traytest

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName = "org.kde.StatusNotifierWatcher"
	watcherPath = dbus.ObjectPath("/StatusNotifierWatcher")
	itemIface   = "org.kde.StatusNotifierItem"
	menuIface   = "com.canonical.dbusmenu"
	defaultItem = dbus.ObjectPath("/StatusNotifierItem")
	propsGetAll = "org.freedesktop.DBus.Properties.GetAll"
)

// Watcher is a StatusNotifierWatcher and host, like a desktop panel. Close it
// to play "the panel stops"; a new Watcher on the same bus is "the panel
// restarts", after which the tray must register again.
type Watcher struct {
	conn  *dbus.Conn
	props *prop.Properties
	items *board[item]
}

// item is a registered StatusNotifierItem.
type item struct {
	bus  string // the item's bus name
	path dbus.ObjectPath
}

func (it item) String() string { return it.bus + string(it.path) }

// watcherObject holds exactly the methods exported on the bus.
type watcherObject struct{ w *Watcher }

// RegisterStatusNotifierItem takes a bus name, or an object path on the
// sender's connection as fyne.io/systray sends.
func (o watcherObject) RegisterStatusNotifierItem(service string, sender dbus.Sender) *dbus.Error {
	it := item{bus: service, path: defaultItem}
	if strings.HasPrefix(service, "/") {
		it = item{bus: string(sender), path: dbus.ObjectPath(service)}
	}
	o.w.register(it)
	return nil
}

// RegisterStatusNotifierHost accepts any host: this Watcher is one itself.
func (o watcherObject) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// NewWatcher connects to the bus at addr and owns org.kde.StatusNotifierWatcher.
func NewWatcher(addr string) (*Watcher, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	w := &Watcher{conn: conn, items: newBoard[item]()}
	if err := w.export(); err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

// export publishes the object first, then takes the name: an item that sees
// the name appear can register at once.
func (w *Watcher) export() error {
	if err := w.conn.Export(watcherObject{w}, watcherPath, watcherName); err != nil {
		return err
	}
	props, err := prop.Export(w.conn, watcherPath, prop.Map{watcherName: {
		// EmitFalse: prop would panic emitting on a connection Close just shut.
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitFalse},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitConst},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitConst},
	}})
	if err != nil {
		return err
	}
	w.props = props
	service := []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}
	node := introspect.Node{Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData, {
			Name: watcherName,
			Methods: []introspect.Method{
				{Name: "RegisterStatusNotifierItem", Args: service},
				{Name: "RegisterStatusNotifierHost", Args: service},
			},
			Signals:    []introspect.Signal{{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}}},
			Properties: props.Introspection(watcherName),
		},
	}}
	if err := w.conn.Export(introspect.NewIntrospectable(&node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return err
	}
	return own(w.conn, watcherName)
}

func (w *Watcher) register(it item) {
	var names []string
	added := false
	w.items.update(func(items []item) []item {
		for _, old := range items {
			if old == it {
				return items // registering again is allowed and changes nothing
			}
		}
		added = true
		items = append(items, it)
		for _, i := range items {
			names = append(names, i.String())
		}
		return items
	})
	if !added {
		return
	}
	w.props.SetMust(watcherName, "RegisteredStatusNotifierItems", names)
	w.conn.Emit(watcherPath, watcherName+".StatusNotifierItemRegistered", it.String())
}

// Close releases the name and disconnects: the panel is gone.
func (w *Watcher) Close() { w.conn.Close() }

// Items returns the registered items as "busname/path" strings.
func (w *Watcher) Items() []string {
	var s []string
	for _, it := range w.items.snapshot() {
		s = append(s, it.String())
	}
	return s
}

// WaitItem waits for an item to register and returns its bus name: the
// unique name of the sender for fyne.io/systray.
func (w *Watcher) WaitItem(ctx context.Context) (sender string, err error) {
	it, err := w.item(ctx)
	return it.bus, err
}

// item returns the first registered item, waiting for one.
func (w *Watcher) item(ctx context.Context) (item, error) {
	return w.items.wait(ctx, func(item) bool { return true })
}

// Props is what a panel reads from a StatusNotifierItem.
type Props struct {
	ID, Status, Title         string
	ToolTipTitle, ToolTipText string
	Menu                      dbus.ObjectPath
	Icon                      *image.NRGBA // the largest IconPixmap, nil if there is none
}

// pixmap is one IconPixmap entry: ARGB32 pixels in network byte order.
type pixmap struct {
	W, H int32
	Pix  []byte
}

// Props reads the first registered item's properties (waiting for one).
func (w *Watcher) Props(ctx context.Context) (Props, error) {
	it, err := w.item(ctx)
	if err != nil {
		return Props{}, err
	}
	var all map[string]dbus.Variant
	if err := w.conn.Object(it.bus, it.path).CallWithContext(ctx, propsGetAll, 0, itemIface).Store(&all); err != nil {
		return Props{}, err
	}
	var p Props
	var tip struct {
		Name        string
		Icons       []pixmap
		Title, Text string
	}
	var pixmaps []pixmap
	for name, dst := range map[string]any{
		"Id": &p.ID, "Status": &p.Status, "Title": &p.Title, "Menu": &p.Menu,
		"ToolTip": &tip, "IconPixmap": &pixmaps,
	} {
		v, ok := all[name]
		if !ok {
			continue
		}
		if err := v.Store(dst); err != nil {
			return Props{}, fmt.Errorf("property %s: %w", name, err)
		}
	}
	p.ToolTipTitle, p.ToolTipText = tip.Title, tip.Text
	for _, px := range pixmaps {
		if px.W == 0 && px.H == 0 {
			continue // fyne.io/systray's placeholder before an icon is set
		}
		if p.Icon == nil || int(px.W) > p.Icon.Bounds().Dx() {
			img, err := decodeARGB(px)
			if err != nil {
				return Props{}, err
			}
			p.Icon = img
		}
	}
	return p, nil
}

// WaitProps polls the item's properties until ok accepts them. On timeout it
// returns the last properties read with the error.
func (w *Watcher) WaitProps(ctx context.Context, ok func(Props) bool) (Props, error) {
	return poll(ctx, w.Props, ok)
}

func decodeARGB(px pixmap) (*image.NRGBA, error) {
	if px.W <= 0 || px.H <= 0 || len(px.Pix) != int(px.W)*int(px.H)*4 {
		return nil, fmt.Errorf("IconPixmap %dx%d holds %d bytes", px.W, px.H, len(px.Pix))
	}
	img := image.NewNRGBA(image.Rect(0, 0, int(px.W), int(px.H)))
	for i := 0; i < len(px.Pix); i += 4 {
		a, r, g, b := px.Pix[i], px.Pix[i+1], px.Pix[i+2], px.Pix[i+3]
		copy(img.Pix[i:i+4], []byte{r, g, b, a})
	}
	return img, nil
}

// DominantColor names the colour of most of the icon: "green", "red",
// "orange", "grey", "other", or "" without an icon.
func (p Props) DominantColor() string {
	if p.Icon == nil {
		return ""
	}
	return DominantColor(p.Icon)
}

// DominantColor names the colour covering most of img's opaque pixels:
// "green", "red", "orange", "grey" or "other"; "" when img is transparent.
// White (a glyph) is not counted.
func DominantColor(img image.Image) string {
	counts := map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A < 128 {
				continue
			}
			if name := colorName(c); name != "" {
				counts[name]++
			}
		}
	}
	best := ""
	for name, n := range counts {
		if best == "" || n > counts[best] || n == counts[best] && name < best {
			best = name
		}
	}
	return best
}

// colorName buckets a colour by hue, or "" for white.
func colorName(c color.NRGBA) string {
	r, g, b := float64(c.R), float64(c.G), float64(c.B)
	hi, lo := max(r, g, b), min(r, g, b)
	switch {
	case lo > 200:
		return ""
	case hi == 0 || (hi-lo)/hi < 0.25:
		return "grey"
	}
	var h float64 // hue in degrees
	switch hi {
	case r:
		h = 60 * (g - b) / (hi - lo)
	case g:
		h = 60 * (2 + (b-r)/(hi-lo))
	default:
		h = 60 * (4 + (r-g)/(hi-lo))
	}
	if h < 0 {
		h += 360
	}
	switch {
	case h < 15 || h >= 345:
		return "red"
	case h < 50:
		return "orange"
	case h >= 80 && h < 170:
		return "green"
	}
	return "other"
}

// MenuItem is one com.canonical.dbusmenu entry, in menu order.
type MenuItem struct {
	ID, Parent       int32
	Label            string // mnemonic underscores removed
	Enabled, Visible bool
	Separator        bool
	Checkable        bool
	ToggleState      int // 1 checked, 0 not, -1 indeterminate
}

// layout is a dbusmenu layout node, signature (ia{sv}av).
type layout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// Menu reads the first registered item's menu with GetLayout and flattens it
// depth first, fetching submenus a host would open. The root is not included.
func (w *Watcher) Menu(ctx context.Context) ([]MenuItem, error) {
	menu, err := w.menuObject(ctx)
	if err != nil {
		return nil, err
	}
	return flatten(ctx, menu, 0)
}

// WaitMenu polls the menu until ok accepts it. On timeout it returns the last
// menu read with the error.
func (w *Watcher) WaitMenu(ctx context.Context, ok func([]MenuItem) bool) ([]MenuItem, error) {
	return poll(ctx, w.Menu, ok)
}

func (w *Watcher) menuObject(ctx context.Context) (dbus.BusObject, error) {
	it, err := w.item(ctx)
	if err != nil {
		return nil, err
	}
	var path dbus.Variant
	obj := w.conn.Object(it.bus, it.path)
	if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, itemIface, "Menu").Store(&path); err != nil {
		return nil, err
	}
	p, ok := path.Value().(dbus.ObjectPath)
	if !ok {
		return nil, fmt.Errorf("Menu property is %s, not an object path", path.Signature())
	}
	return w.conn.Object(it.bus, p), nil
}

func flatten(ctx context.Context, menu dbus.BusObject, parent int32) ([]MenuItem, error) {
	var rev uint32
	var root layout
	if err := menu.CallWithContext(ctx, menuIface+".GetLayout", 0, parent, int32(-1), []string{}).Store(&rev, &root); err != nil {
		return nil, err
	}
	var out []MenuItem
	for _, v := range root.Children {
		var l layout
		if err := v.Store(&l); err != nil {
			return nil, err
		}
		it := MenuItem{ID: l.ID, Parent: parent, Enabled: true, Visible: true}
		var label, typ, toggleType, children string
		var state int32
		for name, dst := range map[string]any{
			"label": &label, "type": &typ, "toggle-type": &toggleType, "children-display": &children,
			"enabled": &it.Enabled, "visible": &it.Visible, "toggle-state": &state,
		} {
			if p, ok := l.Props[name]; ok {
				if err := p.Store(dst); err != nil {
					return nil, fmt.Errorf("menu item %d %s: %w", l.ID, name, err)
				}
			}
		}
		it.Label = unmnemonic(label)
		it.Separator = typ == "separator"
		it.Checkable = toggleType == "checkmark" || toggleType == "radio"
		it.ToggleState = int(state)
		out = append(out, it)
		if children == "submenu" {
			// Some servers send one level per call; ask for this submenu.
			sub, err := flatten(ctx, menu, l.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

// unmnemonic removes dbusmenu access-key marks: "_" before the key, "__" for "_".
func unmnemonic(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			i++
			if i == len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Click sends a "clicked" event for the menu item id, as a host does.
func (w *Watcher) Click(ctx context.Context, id int32) error {
	menu, err := w.menuObject(ctx)
	if err != nil {
		return err
	}
	return menu.CallWithContext(ctx, menuIface+".Event", 0,
		id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
}

// Find returns the first item whose label is label.
func Find(items []MenuItem, label string) (MenuItem, bool) {
	for _, it := range items {
		if it.Label == label {
			return it, true
		}
	}
	return MenuItem{}, false
}
