package autostart

import (
	"bytes"
	"encoding/xml"
	"errors"
)

// launchdLabel names the launch agent; the plist file is named after it.
const launchdLabel = "be.ehealth-tray"

// launchAgent is the launchd property list that starts e at login.
// LimitLoadToSessionType keeps it to graphical logins: a tray icon has
// nothing to do in an SSH session.
func launchAgent(e Entry) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	str := func(indent, s string) {
		b.WriteString(indent + "<string>")
		_ = xml.EscapeText(&b, []byte(s)) // a bytes.Buffer never fails
		b.WriteString("</string>\n")
	}
	key := func(k string) { b.WriteString("\t<key>" + k + "</key>\n") }
	key("Label")
	str("\t", launchdLabel)
	key("ProgramArguments")
	b.WriteString("\t<array>\n")
	for _, a := range append([]string{e.Exec}, e.Args...) {
		str("\t\t", a)
	}
	b.WriteString("\t</array>\n")
	key("RunAtLoad")
	b.WriteString("\t<true/>\n")
	key("ProcessType")
	str("\t", "Interactive")
	key("LimitLoadToSessionType")
	str("\t", "Aqua")
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes()
}

// plistNode is any element of a property list, kept in document order.
type plistNode struct {
	XMLName  xml.Name
	Text     string      `xml:",chardata"`
	Children []plistNode `xml:",any"`
}

var errPlist = errors.New("not a property list dictionary")

// parsePlist decodes a property list whose root is a dictionary. Values come
// back as string (string, integer, real, date, data), bool, []any or
// map[string]any.
func parsePlist(data []byte) (map[string]any, error) {
	var doc struct {
		XMLName xml.Name  `xml:"plist"`
		Root    plistNode `xml:",any"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	v, ok := plistValue(doc.Root).(map[string]any)
	if !ok {
		return nil, errPlist
	}
	return v, nil
}

func plistValue(n plistNode) any {
	switch n.XMLName.Local {
	case "true":
		return true
	case "false":
		return false
	case "array":
		out := make([]any, 0, len(n.Children))
		for _, c := range n.Children {
			out = append(out, plistValue(c))
		}
		return out
	case "dict":
		out := map[string]any{}
		for i := 0; i+1 < len(n.Children); i += 2 {
			if k := n.Children[i]; k.XMLName.Local == "key" {
				out[k.Text] = plistValue(n.Children[i+1])
			}
		}
		return out
	default:
		return n.Text
	}
}

// launchdState is what a launch agent means at login: the program it runs
// (Program, else ProgramArguments[0]) and whether launchd starts it.
func launchdState(agent map[string]any) (program string, enabled bool) {
	program, _ = agent["Program"].(string)
	if args, _ := agent["ProgramArguments"].([]any); program == "" && len(args) > 0 {
		program, _ = args[0].(string)
	}
	runAtLoad, _ := agent["RunAtLoad"].(bool)
	disabled, _ := agent["Disabled"].(bool)
	return program, program != "" && runAtLoad && !disabled
}
