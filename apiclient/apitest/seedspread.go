package apitest

import "time"

// pace is the gap before generated session i, reshaped so that usage over
// time has the spread of a real organisation: about one day in eight is a
// spike (four times the sessions) and weekends are quieter. It leaves the
// first 200 sessions alone (what small tests and goldens load) and draws no
// random numbers, so every other field keeps its value.
func pace(i int, at time.Time, gap time.Duration) time.Duration {
	if i < 200 {
		return gap
	}
	day := uint64(at.Unix() / 86400)
	switch {
	case (day*0x9e3779b97f4a7c15)>>61 == 0:
		return max(gap/4, time.Second)
	case at.Weekday() == time.Saturday || at.Weekday() == time.Sunday:
		return gap * 2
	}
	return gap
}
