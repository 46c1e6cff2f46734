package serve

import "fmt"

// chart is a horizontal bar chart drawn as inline SVG: one row per bar,
// its label on the left and its numbers in words on the right, so that
// it reads without colour; a table beside it gives the same numbers.
type chart struct {
	ID     string // unique on the page: the SVG's title and desc ids
	Title  string
	Desc   string
	Rows   []chartRow
	Width  int
	Height int
}

// chartRow is one bar: Value drawn dark over a light track of Back (0:
// no track), both scaled to Max.
type chartRow struct {
	Label string
	Text  string // the numbers in words, right of the bar
	Value int
	Back  int
	Max   int
	// Computed positions.
	Y, W, BackW, TextY int
}

// Layout of a chart, in SVG user units.
const (
	chartLabelW = 200
	chartBarW   = 320
	chartRowH   = 30
	chartBarH   = 18
	chartTextX  = chartLabelW + chartBarW + 12
	chartWidth  = chartTextX + 300
)

// newChart lays out rows.
func newChart(id, title, desc string, rows []chartRow) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: len(rows)*chartRowH + 8}
	for i, r := range rows {
		r.Y = 4 + i*chartRowH
		r.TextY = r.Y + chartBarH - 4
		if r.Max > 0 {
			r.W = scale(r.Value, r.Max)
			r.BackW = scale(r.Back, r.Max)
		}
		c.Rows = append(c.Rows, r)
	}
	return c
}

func scale(v, maxV int) int {
	if v <= 0 {
		return 0
	}
	w := v * chartBarW / maxV
	return min(chartBarW, max(w, 2)) // a non-zero value shows
}

// Chart constants for the template.
func (chart) LabelW() int { return chartLabelW }
func (chart) BarW() int   { return chartBarW }
func (chart) BarH() int   { return chartBarH }
func (chart) TextX() int  { return chartTextX }

// percent renders n of d as a whole percentage ("–" when d is 0).
func percent(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (n*100+d/2)/d)
}

// LabelX is where the labels end (they are right-aligned to it).
func (chart) LabelX() int { return chartLabelW - 8 }
