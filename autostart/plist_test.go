package autostart

import (
	"bytes"
	"encoding/xml"
	"slices"
	"testing"
)

func TestLaunchAgentParsesBack(t *testing.T) {
	argv := []string{"/Users/a & b/<Apps>/\"e\" Health.app/Contents/MacOS/ehealth-tray", "--config", "/Users/a & b/é ]]> 'x'\tc.toml"}
	data := launchAgent(Entry{Exec: argv[0], Args: argv[1:]})
	if !bytes.HasPrefix(data, []byte(xml.Header+"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\"")) {
		t.Fatalf("header:\n%s", data)
	}
	agent, err := parsePlist(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if agent["Label"] != "be.ehealth-tray" || agent["RunAtLoad"] != true ||
		agent["ProcessType"] != "Interactive" || agent["LimitLoadToSessionType"] != "Aqua" || len(agent) != 5 {
		t.Fatalf("keys: %#v", agent)
	}
	args, _ := agent["ProgramArguments"].([]any)
	var got []string
	for _, a := range args {
		s, _ := a.(string)
		got = append(got, s)
	}
	if !slices.Equal(got, argv) {
		t.Fatalf("ProgramArguments %q, want %q", got, argv)
	}
	if program, enabled := launchdState(agent); program != argv[0] || !enabled {
		t.Fatalf("launchdState = %q, %v", program, enabled)
	}
}

func TestLaunchdState(t *testing.T) {
	const head = xml.Header + "<plist version=\"1.0\"><dict><key>Label</key><string>be.ehealth-tray</string>"
	for _, tc := range []struct {
		body    string
		program string
		enabled bool
	}{
		{"<key>Program</key><string>/a</string><key>ProgramArguments</key><array><string>/b</string></array><key>RunAtLoad</key><true/>", "/a", true},
		{"<key>ProgramArguments</key><array><string>/b</string></array><key>RunAtLoad</key><true/><key>Disabled</key><true/>", "/b", false},
		{"<key>ProgramArguments</key><array><string>/b</string></array><key>RunAtLoad</key><false/>", "/b", false},
		{"<key>RunAtLoad</key><true/><key>StartInterval</key><integer>60</integer><key>X</key><dict><key>k</key><array/></dict>", "", false},
	} {
		agent, err := parsePlist([]byte(head + tc.body + "</dict></plist>"))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if program, enabled := launchdState(agent); program != tc.program || enabled != tc.enabled {
			t.Errorf("%s: %q, %v; want %q, %v", tc.body, program, enabled, tc.program, tc.enabled)
		}
	}
}

func TestParsePlistRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "not xml", "<plist><array/></plist>", "<dict></dict>", "<plist><dict><key>a</key>"} {
		if _, err := parsePlist([]byte(in)); err == nil {
			t.Errorf("parsePlist(%q) accepted", in)
		}
	}
}
