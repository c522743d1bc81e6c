package config

import (
	"os"
	"path/filepath"
	"strings"
)

// ExpandPath expands a path setting the same way on every OS: a leading ~
// (alone, or followed by / or \) is the home folder, and each %NAME% is the
// environment variable NAME, Windows style (case-insensitive there, as the
// OS does). An unset variable is left as written, as cmd.exe does, except
// %USERPROFILE%, which falls back to the home folder so that the Windows
// defaults work everywhere.
func ExpandPath(p string) string {
	p = expandVars(strings.TrimSpace(p))
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	if p == "~" {
		return home
	}
	return filepath.Join(home, p[2:])
}

// expandVars replaces each %NAME% whose variable is set.
func expandVars(p string) string {
	var b strings.Builder
	for {
		start := strings.IndexByte(p, '%')
		if start < 0 {
			break
		}
		end := strings.IndexByte(p[start+1:], '%')
		if end < 0 {
			break
		}
		end += start + 1
		name := p[start+1 : end]
		if v, ok := lookupVar(name); ok && name != "" {
			b.WriteString(p[:start])
			b.WriteString(v)
			p = p[end+1:]
			continue
		}
		// Not a set variable: keep the first % and look again from the second,
		// which may open a real one ("100%%USERPROFILE%").
		b.WriteString(p[:end])
		p = p[end:]
	}
	b.WriteString(p)
	return b.String()
}

func lookupVar(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	if strings.EqualFold(name, "USERPROFILE") {
		if home, err := os.UserHomeDir(); err == nil {
			return home, true
		}
	}
	return "", false
}

// The path settings, expanded (ExpandPath): callers use these, never the raw
// fields, so that ~ and %VAR% work in every one of them.

// KeystoreDirPath is keystore_dir, expanded.
func (c *Config) KeystoreDirPath() string { return ExpandPath(c.KeystoreDir) }

// CAFilePath is [sts] ca_file, expanded ("" when not set).
func (c *Config) CAFilePath() string { return ExpandPath(c.STS.CAFile) }

// TrustPath is [sts] trust, expanded ("" when not set).
func (c *Config) TrustPath() string { return ExpandPath(c.STS.Trust) }

// ModulePath is [eid] module, expanded ("" = auto-detect).
func (c *Config) ModulePath() string { return ExpandPath(c.EID.Module) }

// KeystorePath is the provider's keystore, expanded ("" = discover in
// keystore_dir).
func (p Provider) KeystorePath() string { return ExpandPath(p.Keystore) }
