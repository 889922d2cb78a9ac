/* The connection to a run's event stream (GET /api/v1/jobs/<id>/events/).
 *
 * One EventSource per run (browsers allow ~6 connections per origin). It listens to every
 * type the contract generated from Python names, so a new engine event reaches the fold
 * without a line here. The browser reconnects by itself with Last-Event-ID; events already
 * received are skipped by their sequence number, so a dropped connection leaves no gap and
 * no duplicate. When the server refuses the stream (429 too many streams, 404, a restart)
 * the EventSource gives up without saying why: the reason is asked for with one plain
 * request and shown, and the stream tried again later. The server's own in-stream note
 * (`stream-error`) is shown the same way.
 */
import { CONTRACT } from "./contract.js";
import { EVENT_TYPES, isTerminal } from "./state.js";

const RETRY_MS = 2000;

/* Why the server refuses the stream: the API's {error: {message}} of a non-2xx answer, and
 * how long it asks us to wait; null when it would serve it now (the probe is dropped). */
async function refusal(url) {
  const abort = new AbortController();
  try {
    const response = await fetch(url, { credentials: "same-origin", signal: abort.signal,
      headers: { Accept: "text/event-stream" } });
    if (response.ok) return null;
    const body = await response.json().catch(() => ({}));
    const retryAfter = Number(response.headers.get("Retry-After"));
    return {
      message: (body.error && body.error.message) || `${response.status} ${response.statusText}`,
      retryMs: retryAfter > 0 ? retryAfter * 1000 : RETRY_MS,
      final: response.status === 401 || response.status === 404,
    };
  } catch (err) {
    return null; // the network is down: the reconnection that follows says so by failing
  } finally {
    abort.abort();
  }
}

export class EventStream {
  /* `url`: the stream's URL; `on.event(seq, type, payload)` per new event, `on.problem(text)`
   * with the reason the stream stopped, `on.problem(null)` once it flows again. */
  constructor(url, on) {
    this.url = new URL(url, window.location.href);
    this.on = on;
    this.lastSeq = 0;
    this.finished = false;
    this.source = null;
  }

  connect() {
    // A new EventSource cannot set Last-Event-ID itself: the query parameter carries it.
    const url = new URL(this.url);
    if (this.lastSeq) url.searchParams.set("last_event_id", String(this.lastSeq));
    const source = new EventSource(url);
    this.source = source;
    EVENT_TYPES.forEach((type) => source.addEventListener(type, (e) => this.receive(type, e)));
    source.addEventListener(CONTRACT.streamErrorEvent, (e) => {
      const note = JSON.parse(e.data);
      this.on.problem(note.detail || note.code);
    });
    source.addEventListener("open", () => this.on.problem(null));
    source.addEventListener("error", () => {
      // CLOSED: the server refused the stream; the browser gives up, so we ask why, show
      // it and try again ourselves, after the last event we have.
      if (source.readyState === EventSource.CLOSED && this.source === source && !this.finished) {
        this.retryAfterRefusal(source);
      }
    });
  }

  async retryAfterRefusal(source) {
    const refused = await refusal(this.url);
    if (this.source !== source) return; // closed or reconnected meanwhile
    if (refused) this.on.problem(refused.message);
    if (refused && refused.final) return;
    this.retryTimer = setTimeout(() => this.reconnect(), refused ? refused.retryMs : RETRY_MS);
  }

  /* Drops the connection and opens a new one after the last event received: what the
   * browser does by itself after a network error (tests use it to force one). */
  reconnect() {
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    if (!this.finished) this.connect();
  }

  close() {
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.source = null;
  }

  receive(type, e) {
    const seq = Number(e.lastEventId);
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    const payload = JSON.parse(e.data);
    if (type === CONTRACT.statusEvent && isTerminal(payload.status)) {
      this.finished = true;
      this.close();
    }
    this.on.event(seq, type, payload);
  }
}
