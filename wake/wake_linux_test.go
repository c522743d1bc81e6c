package wake

import (
	"context"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"ehealth-tray/logging/logtest"
	"ehealth-tray/tray/traytest"
)

// TestWakeFromLogindSignal plays logind on a private bus standing in for
// the system bus: PrepareForSleep(true) is going to sleep and must not
// count; PrepareForSleep(false) is the wake-up.
func TestWakeFromLogindSignal(t *testing.T) {
	addr := traytest.StartBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := logtest.New()
	woke := Listen(ctx, logs.Logger())
	if woke == nil {
		t.Fatal("no wake channel although a system bus is there")
	}
	logind, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer logind.Close()
	emit := func(sleeping bool) {
		if err := logind.Emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", sleeping); err != nil {
			t.Fatal(err)
		}
	}
	// The listener subscribes asynchronously to nothing: AddMatch is done
	// before Listen returns, so signals from now on arrive.
	emit(true)
	logs.Wait(t, logSignal)
	select {
	case <-woke:
		t.Fatal("going to sleep counted as a wake-up")
	default:
	}
	emit(false)
	select {
	case <-woke:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake-up after PrepareForSleep(false)")
	}
}

func TestNoSystemBus(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	if ch := Listen(context.Background(), nil); ch != nil {
		t.Fatal("a wake channel without a system bus")
	}
}
