package dataset_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/rramtwin/rramtwin/dataset"
)

// Events round-trip through the official N-MNIST .bin format.
func ExampleEncodeNMNIST() {
	ev := []dataset.Event{{T: 10, X: 3, Y: 4, P: 1}, {T: 250, X: 33, Y: 0, P: 0}}
	b, _ := dataset.EncodeNMNIST(nil, ev)
	fmt.Printf("% x\n", b)
	back, _ := dataset.DecodeNMNIST(b, "mem.bin", 34, 34)
	fmt.Println(back)
	// Output:
	// 03 04 80 00 0a 21 00 00 00 fa
	// [{10 3 4 1} {250 33 0 0}]
}

// A malformed file is an error naming the file and byte offset.
func ExampleDecodeNMNIST_error() {
	_, err := dataset.DecodeNMNIST([]byte{1, 1, 0, 0, 9, 2, 2, 0, 0, 8}, "Train/3/00007.bin", 34, 34)
	fmt.Println(err)
	// Output:
	// Train/3/00007.bin: byte 5: time 8 µs goes backwards (previous 9 µs)
}

// A pure tone through the cochlea excites the channels near its frequency.
func ExampleCochlea() {
	k := dataset.NewCochlea(dataset.CochleaConfig{}, 1)
	a := &dataset.Audio{Rate: 8000, Samples: make([]float64, 4000)}
	for i := range a.Samples {
		a.Samples[i] = 0.5 * sinTable(i, 1000, 8000)
	}
	ev, _ := k.Events(a, 0)
	count := make([]int, 64)
	for _, e := range ev {
		count[e.X]++
	}
	best := 0
	for ch := range count {
		if count[ch] > count[best] {
			best = ch
		}
	}
	fmt.Printf("busiest channel centre %.0f Hz\n", k.CentreHz(8000)[best])
	// Output:
	// busiest channel centre 1090 Hz
}

// Open a spec, then take a seeded stratified split.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "nmnist")
	defer os.RemoveAll(dir)
	for i, d := range []int{0, 0, 1, 1} {
		p := filepath.Join(dir, fmt.Sprint(d), fmt.Sprintf("%05d.bin", i+1))
		dataset.WriteNMNISTFile(p, []dataset.Event{{T: int64(i), X: 1, Y: 2, P: 1}})
	}
	d, err := dataset.Open("nmnist:"+dir, dataset.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	train, test, _ := dataset.Split(d, 0.5, 42)
	fmt.Println(d.Len(), d.Classes(), train.Len(), test.Len())
	_, err = dataset.Open("nmnist:"+filepath.Join(dir, "none"), dataset.Options{})
	fmt.Println(err != nil)
	// Output:
	// 4 10 2 2
	// true
}

func sinTable(i, hz, rate int) float64 {
	return math.Sin(2 * 3.141592653589793 * float64(hz) * float64(i) / float64(rate))
}
