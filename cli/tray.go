package cli

func runTray(e *env, args []string) int { return e.fail("tray: not built yet") }

func runDemo(e *env, args []string) int { return e.fail("demo: not built yet") }
