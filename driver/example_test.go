package driver_test

import (
	"context"
	"fmt"
	"os"

	"github.com/rramtwin/rramtwin/driver"
)

// ExampleOpen opens the first board attached or, with none (as here),
// falls back to the software model and says so on cfg.Log.
func ExampleOpen() {
	ctx := context.Background()
	m, closeFn, err := driver.Open(ctx, driver.Auto, driver.Config{Seed: 7, Log: os.Stdout, VID: "FFFF", PID: "FFFF"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeFn()
	fmt.Println(m.Info().ID)
	// Output:
	// driver: no board attached; falling back to the software model (preset lin2025-40nm, seed 7)
	// model-seed-7
}
