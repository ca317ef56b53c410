package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"panther/alerts"
	"panther/packs"
)

// Client calls the alert API. It is packs.Client underneath: the same
// token header, retries with backoff and jitter on the network, 5xx and
// 429 (never on other 4xx), and *packs.APIError for refusals.
type Client struct {
	packs.Client
}

// List returns a page of alerts.
func (c *Client) List(ctx context.Context, f FilterSpec, sort string, limit int, cursor string) (*alerts.ListResult, error) {
	v := f.Values()
	if sort != "" {
		v.Set("sort", sort)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	p := "/api/v1/alerts"
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	var out alerts.ListResult
	if err := c.JSON(ctx, http.MethodGet, p, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func alertPath(id int64) string { return "/api/v1/alerts/" + strconv.FormatInt(id, 10) }

// Get returns one alert with its notes, history and deliveries.
func (c *Client) Get(ctx context.Context, id int64) (*alerts.Alert, error) {
	var out alerts.Alert
	if err := c.JSON(ctx, http.MethodGet, alertPath(id), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Patch changes an alert.
func (c *Client) Patch(ctx context.Context, id int64, p PatchRequest) (*alerts.Alert, error) {
	var out alerts.Alert
	if err := c.JSON(ctx, http.MethodPatch, alertPath(id), p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Bulk changes many alerts.
func (c *Client) Bulk(ctx context.Context, req BulkRequest) (*alerts.BulkResult, error) {
	var out alerts.BulkResult
	if err := c.JSON(ctx, http.MethodPost, "/api/v1/alerts/bulk", req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddNote adds a note.
func (c *Client) AddNote(ctx context.Context, id int64, text string) (*alerts.Note, error) {
	var out alerts.Note
	if err := c.JSON(ctx, http.MethodPost, alertPath(id)+"/notes", NoteRequest{Text: text}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeadLetters lists the deliveries that gave up.
func (c *Client) DeadLetters(ctx context.Context, limit int) ([]alerts.Delivery, error) {
	var out []alerts.Delivery
	p := "/api/v1/deliveries/dead"
	if limit > 0 {
		p += "?" + url.Values{"limit": {strconv.Itoa(limit)}}.Encode()
	}
	err := c.JSON(ctx, http.MethodGet, p, nil, &out)
	return out, err
}

// Resend queues a delivery again.
func (c *Client) Resend(ctx context.Context, deliveryID int64) (*alerts.Delivery, error) {
	var out alerts.Delivery
	if err := c.JSON(ctx, http.MethodPost, fmt.Sprintf("/api/v1/deliveries/%d/resend", deliveryID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Raise sends detection alerts (at most MaxRaise a call).
func (c *Client) Raise(ctx context.Context, list []DetectionAlert) (*RaiseResponse, error) {
	var out RaiseResponse
	if err := c.JSON(ctx, http.MethodPost, "/api/v1/alerts/raise", RaiseRequest{Alerts: list}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
