// Kills DynamoDB Local when the process that started it is gone, however it died.
const [parent, child] = process.argv.slice(2).map(Number);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const timer = setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (!alive(parent)) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // already gone
    }
    process.exit(0);
  }
}, 500);
timer.unref = undefined;
