/* The live view's entry, loaded as a module: the view itself lives in js/live/ (stream,
 * state, charts, controls, panels). lab.js and run_page.js are classic scripts that run
 * after it (module and deferred scripts run in document order), so LiveRun is handed to
 * them on window. */
import { LiveRun } from "./live/run.js";

window.LiveRun = LiveRun;
