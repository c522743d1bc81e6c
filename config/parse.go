package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

const (
	// MaxSize is the largest config file read: a real one is a few KB, and
	// --config /dev/zero must not fill the memory.
	MaxSize = 1 << 20
	// maxDepth bounds the nesting of arrays and inline tables, checked before
	// decoding: the TOML decoder needs gigabytes for 10,000 levels.
	maxDepth = 32
	// maxDropped bounds the bad lines set aside before the whole file is
	// given up: each one costs a new decode.
	maxDropped = 16
	// decodeBudget bounds the bytes decoded in all those tries, so that a
	// large hostile file is given up sooner.
	decodeBudget = 4 * MaxSize
)

// Parse decodes TOML text over the defaults. name is used in messages.
//
// A line that is not valid TOML, or nests too deep, costs only itself: it is
// reported and the rest of the file is read without it. Decoding then goes
// key by key (through toml.Primitive), so a bad value costs only its own key,
// which keeps its default.
func Parse(name string, data []byte) (Config, []Issue) {
	cfg := Default()
	lines := strings.Split(string(data), "\n")
	var root map[string]toml.Primitive
	md, issues, ok := decodeSkipping(name, lines, &root)
	d := decoder{file: name, md: md, text: lines, lines: keyLines(lines)}
	if ok {
		d.table(root, reflect.ValueOf(&cfg).Elem(), "")
		issues = append(issues, d.issues...)
	}
	cfg.Path = name
	cfg.applyDefaultsForEmpty()
	issues = append(issues, cfg.validate(d.lines)...)
	return cfg, issues
}

// decodeSkipping decodes lines into root, blanking each line that nests too
// deep or does not parse (line numbers stay true) and trying again, up to
// maxDropped lines and decodeBudget bytes. ok is false when the file had to
// be given up.
func decodeSkipping(name string, lines []string, root *map[string]toml.Primitive) (md toml.MetaData, issues []Issue, ok bool) {
	decoded := 0
	for range maxDropped + 1 {
		if n := deepLine(lines, maxDepth); n > 0 {
			issues = append(issues, newIssue(name, n, "", "settings.too-deep", map[string]any{"Max": maxDepth}))
			lines[n-1] = ""
			continue
		}
		text := strings.Join(lines, "\n")
		if decoded += len(text); decoded > decodeBudget {
			break
		}
		*root = nil
		var err error
		md, err = toml.Decode(text, root)
		if err == nil {
			return md, issues, true
		}
		issue, n := syntaxIssue(name, text, lines, err)
		issues = append(issues, issue)
		if n == 0 {
			break
		}
		lines[n-1] = ""
	}
	return md, append(issues, newIssue(name, 0, "", "settings.given-up", nil)), false
}

// syntaxIssue reports a decode error and returns the line to set aside (0
// when none can be told).
func syntaxIssue(name, text string, lines []string, err error) (Issue, int) {
	var perr toml.ParseError
	if !errors.As(err, &perr) {
		i := newIssue(name, 0, "", "settings.syntax", nil)
		i.Detail = printable(err.Error())
		return i, 0
	}
	// The library's line is the one after a bad newline ("[sts" ⏎): the
	// offset of the error is exact.
	n := perr.Position.Line
	if s := perr.Position.Start; s >= 0 && s <= len(text) {
		n = strings.Count(text[:s], "\n") + 1
	}
	if n < 1 || n > len(lines) {
		n = 0
	}
	id := "settings.syntax"
	if n > 0 && isWindowsPath(lines[n-1]) {
		id = "settings.windows-path"
	}
	i := newIssue(name, n, perr.LastKey, id, nil)
	i.Detail = printable(strings.TrimSpace(perr.Message))
	return i, n
}

// isWindowsPath tells a value written like "C:\Users\…", "\\server\…" or
// "%APPDATA%\…": backslashes in double quotes are TOML escapes, and the fix
// is single quotes.
func isWindowsPath(line string) bool {
	_, v, ok := strings.Cut(line, "=")
	v = strings.TrimSpace(v)
	return ok && strings.HasPrefix(v, `"`) &&
		(strings.Contains(v, `:\`) || strings.HasPrefix(v, `"\\`) || strings.Contains(v, `%\`) || strings.HasPrefix(v, `"~\`))
}

// deepLine returns the first line (from 1) where arrays and inline tables
// nest deeper than max, or 0. Strings and comments are skipped; table
// headers count as the brackets they are, which stays shallow.
func deepLine(lines []string, max int) int {
	var s depthScanner
	for i, l := range lines {
		if s.line(l, max) {
			return i + 1
		}
	}
	return 0
}

// depthScanner follows bracket nesting across lines. quote is the open
// string's delimiter (one or three quote characters), "" outside strings.
type depthScanner struct {
	depth int
	quote string
}

// line scans one line and reports whether the nesting went over max in it.
func (s *depthScanner) line(l string, max int) bool {
	for i := 0; i < len(l); i++ {
		if s.quote != "" {
			i = s.skipString(l, i)
			continue
		}
		switch c := l[i]; c {
		case '#':
			return false
		case '"', '\'':
			s.quote = string(c)
			if strings.HasPrefix(l[i:], strings.Repeat(string(c), 3)) {
				s.quote = l[i : i+3]
			}
			i += len(s.quote) - 1
		case '[', '{':
			s.depth++
			if s.depth > max {
				s.depth = 0
				return true
			}
		case ']', '}':
			if s.depth > 0 {
				s.depth--
			}
		}
	}
	if len(s.quote) == 1 {
		s.quote = "" // single-line strings end with their line
	}
	return false
}

// skipString moves past string content at l[i]; it returns the index of the
// last byte consumed.
func (s *depthScanner) skipString(l string, i int) int {
	if l[i] == '\\' && s.quote[0] == '"' {
		return i + 1
	}
	if strings.HasPrefix(l[i:], s.quote) {
		end := i + len(s.quote)
		// A multi-line string may end with one or two more quotes of its
		// kind (""""a"""" is `a"`): they belong to the string, and must not
		// open a new one that would hide the rest of the line.
		for k := 0; len(s.quote) == 3 && k < 2 && end < len(l) && l[end] == s.quote[0]; k++ {
			end++
		}
		s.quote = ""
		return end - 1
	}
	return i
}

// decoder walks the TOML document against the Config struct by toml tags.
type decoder struct {
	file   string
	md     toml.MetaData
	text   []string // the file's lines
	lines  map[string]int
	issues []Issue
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func (d *decoder) issue(key, id string, params map[string]any) {
	d.issues = append(d.issues, newIssue(d.file, d.lines[key], key, id, params))
}

// keyLines maps each key to the line it is written on, for messages. Keys
// inside the n-th [[table]] are written "table[n].key". The TOML library does
// not expose positions, and this simple scan covers how config files are
// written (dotted and inline-table keys get line 0).
func keyLines(lines []string) map[string]int {
	out := map[string]int{}
	counts := map[string]int{}
	prefix := ""
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "[["):
			name := strings.TrimSpace(strings.Trim(strings.SplitN(l, "]]", 2)[0], "[ "))
			prefix = fmt.Sprintf("%s[%d]", name, counts[name])
			counts[name]++
			out[prefix] = i + 1
		case strings.HasPrefix(l, "["):
			prefix = strings.TrimSpace(strings.Trim(strings.SplitN(l, "]", 2)[0], "[ "))
			out[prefix] = i + 1
		default:
			k, _, ok := strings.Cut(l, "=")
			k = strings.Trim(strings.TrimSpace(k), `"'`)
			if !ok || k == "" || strings.HasPrefix(k, "#") {
				continue
			}
			if prefix != "" {
				k = prefix + "." + k
			}
			if _, seen := out[k]; !seen {
				out[k] = i + 1
			}
		}
	}
	return out
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// table decodes the keys of one TOML table into the struct v.
func (d *decoder) table(keys map[string]toml.Primitive, v reflect.Value, path string) {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		key := join(path, k)
		f, ok := fieldByTag(v, k)
		if !ok {
			d.issue(key, "settings.unknown-key", nil)
			continue
		}
		d.value(keys[k], f, key)
	}
}

func (d *decoder) value(p toml.Primitive, f reflect.Value, key string) {
	isText := reflect.PointerTo(f.Type()).Implements(textUnmarshaler)
	switch {
	case f.Kind() == reflect.Struct && !isText:
		var sub map[string]toml.Primitive
		if err := d.md.PrimitiveDecode(p, &sub); err != nil {
			d.issue(key, "settings.not-table", map[string]any{"Key": printable(key)})
			return
		}
		d.table(sub, f, key)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
		var elems []map[string]toml.Primitive
		if err := d.md.PrimitiveDecode(p, &elems); err != nil {
			d.issue(key, "settings.not-table-array", map[string]any{"Key": printable(key)})
			return
		}
		out := reflect.MakeSlice(f.Type(), len(elems), len(elems))
		for i, e := range elems {
			d.table(e, out.Index(i), fmt.Sprintf("%s[%d]", key, i))
		}
		f.Set(out)
	case isText:
		// Called here, not by the library, whose ParseError hides our message.
		var raw any
		if err := d.md.PrimitiveDecode(p, &raw); err != nil {
			d.issue(key, "settings.wrong-type", nil)
			return
		}
		tmp := reflect.New(f.Type())
		if err := tmp.Interface().(encoding.TextUnmarshaler).UnmarshalText(fmt.Append(nil, raw)); err != nil {
			id, params := typeMessage(err, f.Type())
			d.issue(key, id, params)
			return
		}
		f.Set(tmp.Elem())
	default:
		tmp := reflect.New(f.Type())
		if err := d.md.PrimitiveDecode(p, tmp.Interface()); err != nil {
			id, params := typeMessage(err, f.Type())
			d.issue(key, id, params)
			return
		}
		if s, ok := tmp.Elem().Interface().(string); ok && hasControl(s) {
			// "C:\temp" is valid TOML, with a tab in it.
			id := "settings.control"
			if n := d.lines[key]; n > 0 && isWindowsPath(d.text[n-1]) {
				id = "settings.windows-path"
			}
			d.issue(key, id, nil)
			return
		}
		f.Set(tmp.Elem())
	}
}

// valueError is a value of the right type but not a usable content, worded
// from the catalog.
type valueError struct {
	id     string
	params map[string]any
}

func (e *valueError) Error() string { return e.id }

// typeMessage says what the key needed. Our own UnmarshalText errors carry
// their message; the library's type errors are replaced by the expected type.
func typeMessage(err error, t reflect.Type) (string, map[string]any) {
	var ours *valueError
	if errors.As(err, &ours) {
		return ours.id, ours.params
	}
	switch t.Kind() {
	case reflect.String:
		return "settings.not-string", nil
	case reflect.Bool:
		return "settings.not-bool", nil
	case reflect.Int, reflect.Int64:
		return "settings.not-integer", nil
	case reflect.Slice:
		return "settings.not-list", nil
	}
	return "settings.wrong-type", nil
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("toml"), ",")[0]
		if tag == name && tag != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
