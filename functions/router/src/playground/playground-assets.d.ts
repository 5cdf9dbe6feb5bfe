// The types of playground-assets.js, which functions/router/build-playground.ts generates (not committed).

/** The playground's script: functions/router/playground/playground.ts bundled for browsers (an ES module). */
export const PLAYGROUND_SCRIPT: string;
/** The playground's stylesheet: functions/router/playground/playground.css. */
export const PLAYGROUND_STYLESHEET: string;
