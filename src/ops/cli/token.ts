// npm run --silent token -- <username> [--role game-server] [--expires 12h]: prints a token the
// current configuration accepts.
import { signToken } from '../../auth.js';
import { ConfigError, loadConfig } from '../../config.js';
import { username as checkUsername } from '../../graphql/validation.js';

const args = process.argv.slice(2);
const user = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!user) {
  console.error('Usage: npm run --silent token -- <username> [--role game-server] [--expires 12h]');
  process.exit(2);
}
try {
  const config = loadConfig();
  checkUsername(user);
  const role = flag('role');
  if (role !== undefined && role !== 'game-server') throw new Error('--role may only be game-server.');
  console.log(await signToken(config.auth, user, { role: role as 'game-server' | undefined, expiresIn: flag('expires') }));
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : (err as Error).message);
  process.exit(2);
}
