package logtest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRecordsAtEveryLevelWithAttrs(t *testing.T) {
	tap := New()
	log := tap.Logger().With("pkg", "x").WithGroup("g")
	log.Debug("low", "k", 1)
	log.Info("mid")
	log.Info("mid")
	if got := tap.Messages(); strings.Join(got, ",") != "low,mid,mid" {
		t.Fatalf("messages %v", got)
	}
	if tap.Count("mid") != 2 || tap.Count("low") != 1 || tap.Count("none") != 0 {
		t.Fatalf("counts: mid %d, low %d", tap.Count("mid"), tap.Count("low"))
	}
	first, _, _ := strings.Cut(tap.String(), "\n")
	var r struct {
		Msg, Level, Pkg string
		G               struct{ K int }
	}
	if err := json.Unmarshal([]byte(first), &r); err != nil || r.Msg != "low" || r.Level != "DEBUG" || r.Pkg != "x" || r.G.K != 1 {
		t.Fatalf("first line %s: %+v, %v", first, r, err)
	}
}

func TestWaitConsumesInOrder(t *testing.T) {
	tap := New()
	log := tap.Logger()
	log.Info("a")
	tap.Wait(t, "a") // logged before the call: counts
	go func() {
		log.Info("b")
		log.Info("a")
	}()
	tap.Wait(t, "a") // the second "a", not the first again
	if tap.Count("a") != 2 {
		t.Fatalf("Wait returned before the second record: %v", tap.Messages())
	}
	tap.s.mu.Lock()
	waited := tap.s.waited
	tap.s.mu.Unlock()
	if waited != 3 {
		t.Fatalf("Wait consumed %d records, want all 3: the \"b\" before the match goes too", waited)
	}
}
