//go:build !windows && !darwin

package prompt

// systemDefault prefers a graphical pinentry (it never puts the secret on a
// command line and is what GnuPG users already have), then zenity or kdialog.
// A bare "pinentry" comes last: it may be the curses one, which needs a tty.
func systemDefault() (Prompter, error) {
	if p, ok := lookFirst("pinentry-gnome3", "pinentry-gtk-2", "pinentry-gtk2", "pinentry-qt", "pinentry-qt5", "pinentry-x11"); ok {
		if t, ok := textDialog(); ok {
			return WithText{Prompter: Pinentry{Program: p}, Texts: t}, nil
		}
		return Pinentry{Program: p}, nil
	}
	if p, ok := lookFirst("zenity"); ok {
		return Dialog{Program: p, Style: Zenity}, nil
	}
	if p, ok := lookFirst("kdialog"); ok {
		return Dialog{Program: p, Style: KDialog}, nil
	}
	if p, ok := lookFirst("pinentry"); ok {
		return Pinentry{Program: p}, nil
	}
	return nil, ErrNoProgram
}

// textDialog is zenity or kdialog, for the visible entries pinentry lacks.
func textDialog() (Dialog, bool) {
	if p, ok := lookFirst("zenity"); ok {
		return Dialog{Program: p, Style: Zenity}, true
	}
	if p, ok := lookFirst("kdialog"); ok {
		return Dialog{Program: p, Style: KDialog}, true
	}
	return Dialog{}, false
}
