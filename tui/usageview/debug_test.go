package usageview

import (
	"fmt"
	"testing"
)

func TestDebugPrint(t *testing.T) {
	d := seedData(40)
	for _, sz := range [][2]int{{80, 24}, {160, 45}} {
		m := newSized(d, sz[0], sz[1])
		fmt.Println(m.View())
		fmt.Println("=====")
		m, _ = press(t, m, "tab", "tab", "tab")
		fmt.Println(m.View())
		fmt.Println("=====")
	}
	m := newSized(seedData(3000), 80, 24)
	fmt.Println(m.View())
}
