/**
 * Preloaded (`node --import`) into the local stack's children. They run in their own process groups, so a local stack
 * killed outright (SIGKILL, a closed terminal) cannot stop them; each notices that its parent is gone (it has been
 * handed to another) and stops itself as if the stack had asked, with SIGTERM.
 *
 * Plain JavaScript: worker threads inherit `--import` flags, and in the gpu-worker's inference thread Node 20 loads
 * this before tsx's hooks apply there, so a `.ts` file failed the thread and with it every model load.
 */
const PARENT_CHECK_MS = 500;

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, PARENT_CHECK_MS).unref();
