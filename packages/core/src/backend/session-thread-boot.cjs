// The inference thread's entry: Node 20 does not apply tsx's ESM hooks inside worker threads, so the thread loads the
// TypeScript sources through tsx's require hook instead (see session-thread.ts).
require('tsx/cjs/api').register();
require('./session-thread-main.ts');
