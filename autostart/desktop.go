//go:build !darwin && !windows

package autostart

import (
	"strings"
)

// desktopFile is our autostart file for e. Hidden=false is spelled out: this
// file overrides the .deb's /etc/xdg/autostart/ehealth-tray.desktop, which
// ships Hidden=true.
func desktopFile(e Entry) []byte {
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Name=eHealth tray\n")
	b.WriteString("Exec=" + escapeValue(execValue(append([]string{e.Exec}, e.Args...))) + "\n")
	b.WriteString("Icon=ehealth-tray\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("X-GNOME-Autostart-enabled=true\n")
	b.WriteString("Hidden=false\n")
	return []byte(b.String())
}

// execReserved are the characters that force quoting in an Exec argument
// (Desktop Entry spec, "The Exec key").
const execReserved = " \t\n\"'\\><~|&;$*?#()`"

// execValue quotes argv for the Exec key: "%" doubled (it starts field
// codes), and arguments with reserved characters enclosed in double quotes,
// with ", `, $ and \ escaped by a backslash inside.
func execValue(argv []string) string {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		a = strings.ReplaceAll(a, "%", "%%")
		if a != "" && !strings.ContainsAny(a, execReserved) {
			quoted[i] = a
			continue
		}
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range a {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		quoted[i] = b.String()
	}
	return strings.Join(quoted, " ")
}

// splitExec undoes execValue: it splits an Exec value (already unescaped
// as a string) into argv, and drops field codes such as %U, which expand to
// nothing when the session starts the program. It returns nil for an
// unterminated quote, which desktops reject too.
func splitExec(v string) []string {
	var argv []string
	var cur strings.Builder
	inArg, inQuote := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(v) && strings.IndexByte("\"`$\\", v[i+1]) >= 0:
			i++
			cur.WriteByte(v[i])
		case inQuote && c == '"':
			inQuote = false
		case inQuote:
			cur.WriteByte(c)
		case c == '"':
			inQuote, inArg = true, true
		case c == ' ' || c == '\t':
			if inArg {
				argv = append(argv, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			inArg = true
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil
	}
	if inArg {
		argv = append(argv, cur.String())
	}
	out := argv[:0]
	for _, a := range argv {
		if len(a) == 2 && a[0] == '%' && a[1] != '%' {
			continue
		}
		out = append(out, strings.ReplaceAll(a, "%%", "%"))
	}
	return out
}

// escapeValue applies the string escapes of the key file format, so a value
// stays on one line and keeps its backslashes.
var escapeValue = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace

// unescapeValue undoes escapeValue (and \s, a space).
func unescapeValue(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			b.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case 's':
			b.WriteByte(' ')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

const desktopGroup = "[Desktop Entry]"

// desktopKeys returns the keys of the [Desktop Entry] group, values
// unescaped. Localized keys (Name[fr]) come back under their full name.
func desktopKeys(data []byte) map[string]string {
	keys := map[string]string{}
	inGroup := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			inGroup = line == desktopGroup
		case inGroup:
			if k, v, ok := strings.Cut(line, "="); ok {
				keys[strings.TrimSpace(k)] = unescapeValue(strings.TrimLeft(v, " "))
			}
		}
	}
	return keys
}

// desktopEntry is what an autostart file means to the session.
type desktopEntry struct {
	program string // argv[0] of Exec
	enabled bool
}

func readDesktop(data []byte) desktopEntry {
	keys := desktopKeys(data)
	var d desktopEntry
	if argv := splitExec(keys["Exec"]); len(argv) > 0 {
		d.program = argv[0]
	}
	// GNOME and systemd's xdg-autostart-generator both skip an entry with
	// X-GNOME-Autostart-enabled=false, so it counts as disabled.
	d.enabled = d.program != "" && keys["Hidden"] != "true" && keys["X-GNOME-Autostart-enabled"] != "false"
	return d
}

// setHidden returns data with Hidden=true in its [Desktop Entry] group,
// every other line untouched.
func setHidden(data []byte) []byte {
	text := string(data)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	lines := strings.SplitAfter(text, "\n")
	header := -1
	for i, line := range lines {
		trimmed := strings.TrimRight(line, "\r\n")
		if header < 0 {
			if trimmed == desktopGroup {
				header = i
			}
			continue
		}
		if strings.HasPrefix(trimmed, "[") {
			break
		}
		if k, _, ok := strings.Cut(trimmed, "="); ok && strings.TrimSpace(k) == "Hidden" {
			lines[i] = "Hidden=true\n"
			return []byte(strings.Join(lines, ""))
		}
	}
	if header < 0 {
		return []byte(desktopGroup + "\nHidden=true\n" + text)
	}
	lines[header] += "Hidden=true\n"
	return []byte(strings.Join(lines, ""))
}
