package apiclient

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Order is the sort order of GET /v1/sessions. Open type.
type Order string

// Orders the server knows: newest created first (the default), or most
// recently active first (by updated_at).
const (
	OrderCreatedAt    Order = "created_at"
	OrderLastActivity Order = "last_activity"
)

// ListOptions selects a page of GET /v1/sessions. Zero values send nothing,
// so the server's defaults apply. The filters (all but Offset and Limit)
// also select what GET /v1/sessions/facets counts.
type ListOptions struct {
	Offset int
	Limit  int // 1..100 (the server clamps larger values); 0 means the server default (20)

	AgentID string
	Search  string     // title, case-insensitive substring
	Status  []Activity // activity values (running, failed, ...), any of
	Source  []Source   // any of
	Mine    bool       // only sessions owned by the calling user
	// CreatedAfter is inclusive, CreatedBefore exclusive; zero means unbounded.
	CreatedAfter, CreatedBefore time.Time
	Order                       Order

	IncludeArchived bool // archived sessions too
	ArchivedOnly    bool // archived sessions only

	// MaxRows bounds ListAll and EachSession (not sent): at most the newest
	// MaxRows rows from Offset on; 0 means no bound.
	MaxRows int
}

// Query is the query string of GET /v1/sessions for o.
func (o ListOptions) Query() url.Values {
	q := o.FilterQuery()
	q.Set("offset", strconv.Itoa(max(o.Offset, 0)))
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.IncludeArchived {
		q.Set("include_archived", "true")
	}
	if o.ArchivedOnly {
		q.Set("archived_only", "true")
	}
	return q
}

// FilterQuery is the query string of GET /v1/sessions/facets for o: the
// filters the facets endpoint takes (no paging, no archive switches).
func (o ListOptions) FilterQuery() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("agent_id", o.AgentID)
	set("search", o.Search)
	set("status", joinValues(o.Status))
	set("source", joinValues(o.Source))
	if o.Mine {
		q.Set("mine", "true")
	}
	if !o.CreatedAfter.IsZero() {
		q.Set("created_after", o.CreatedAfter.UTC().Format(time.RFC3339Nano))
	}
	if !o.CreatedBefore.IsZero() {
		q.Set("created_before", o.CreatedBefore.UTC().Format(time.RFC3339Nano))
	}
	set("order", string(o.Order))
	return q
}

// joinValues is the comma-separated list the server takes, without empties.
func joinValues[T ~string](vs []T) string {
	var b strings.Builder
	for _, v := range vs {
		if v == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(v))
	}
	return b.String()
}
