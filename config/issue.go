package config

import (
	"fmt"
	"strconv"
	"strings"

	"ehealth-tray/i18n"
	"ehealth-tray/textsafe"
)

// Issue is one problem found in the file, with its position. It never stops
// loading: the key concerned keeps its default.
//
// Msg is the English message (for the log and JSON); ID and Params word it in
// the reader's language through the catalog's [config] section (Message,
// Localize). Detail, when set, is the TOML library's own text, for the log
// only.
type Issue struct {
	File   string         `json:"file"`
	Line   int            `json:"line"` // 0 when unknown
	Key    string         `json:"key"`
	Msg    string         `json:"message"`
	Detail string         `json:"details,omitempty"`
	ID     string         `json:"-"`
	Params map[string]any `json:"-"`
}

// newIssue makes an issue of catalog message id. Every text that comes from
// outside (file name, key, detail) is cleaned of control characters: issues are shown
// on terminals and in notifications.
func newIssue(file string, line int, key, id string, params map[string]any) Issue {
	return Issue{File: printable(file), Line: line, Key: printable(key), ID: id, Params: params,
		Msg: (*i18n.Localizer)(nil).T(id, params)}
}

// String is the English issue with its position, for the log:
// "file:line: key: message (detail)".
func (i Issue) String() string {
	s := i.position() + i.Msg
	if i.Detail != "" {
		s += " (" + i.Detail + ")"
	}
	return s
}

// Message is the issue's message alone, in the language of l.
func (i Issue) Message(l *i18n.Localizer) string {
	if i.ID == "" {
		return i.Msg
	}
	return l.T(i.ID, i.Params)
}

// Localize is "file:line: key: message" in the language of l (i18n.Localized).
func (i Issue) Localize(l *i18n.Localizer) string { return i.position() + i.Message(l) }

func (i Issue) position() string {
	pos := i.File
	if i.Line > 0 {
		pos = fmt.Sprintf("%s:%d", i.File, i.Line)
	}
	if i.Key != "" {
		return pos + ": " + i.Key + ": "
	}
	return pos + ": "
}

// quote shows a value from the file in a message: quoted, with every control
// or invisible formatting character escaped.
func quote(s string) string { return strconv.QuoteToGraphic(s) }

// quoteAll quotes each value and joins them with ", ".
func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = quote(v)
	}
	return strings.Join(q, ", ")
}

// hasControl tells a value that would steer a terminal or reorder a
// notification (textsafe would have to escape it).
func hasControl(s string) bool { return textsafe.String(s) != s }

// printable escapes such characters visibly (textsafe).
func printable(s string) string { return textsafe.String(s) }
