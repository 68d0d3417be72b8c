/**
 * Which connection errors waiting cannot fix. A refused or reset connection may be a server
 * still starting, so connect.ts retries those for --redis-timeout; a wrong password, a
 * missing one, an ACL that forbids the commands, or a certificate one side does not trust
 * stay wrong however long one waits, so they end the command at once with what to fix.
 */
import { RedisAuthError, RedisSetupError, RedisTlsError } from './redis-errors.js';
import { maskUrl, scrubPassword } from './redis-url.js';

const PASSWORD_FORM = 'give the password in the URL as redis://:PASSWORD@host:port (an ACL user: redis://USER:PASSWORD@host:port; percent-encode / ? # @ : % in it as %2F %3F %23 %40 %3A %25)';

/** Certificate verification codes of Node/OpenSSL that mean "not signed by a CA we trust". */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

function userOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.username === '' ? null : decodeURIComponent(u.username);
  } catch {
    return null;
  }
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/**
 * The set-up error `err` (a connection attempt's error) stands for at `url`, or null when it
 * may pass by itself (refused, reset, timed out, loading) and is worth retrying.
 */
export function permanentFailure(err: unknown, url: string): RedisSetupError | null {
  if (err instanceof RedisSetupError) return err;
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : '';
  const at = maskUrl(url);
  const user = userOf(url);
  const said = scrubPassword(message.split('\n')[0]!.trim(), url);
  if (/^WRONGPASS/.test(message)) {
    const who = user !== null && user !== 'default' ? `wrong password for user '${user}', or no such user, or the user is disabled` : 'wrong password';
    return new RedisAuthError(`authentication failed for ${at}: ${who}; ${PASSWORD_FORM}`);
  }
  if (/^NOAUTH/.test(message) || /^ERR AUTH .*without any password configured/.test(message)) {
    const why = hasPassword(url) ? `the server refused the credentials (${said})` : 'the server requires a password and the URL has none';
    return new RedisAuthError(`authentication failed for ${at}: ${why}; ${PASSWORD_FORM}`);
  }
  if (/^NOPERM/.test(message)) {
    return new RedisAuthError(
      `authentication failed for ${at}: user '${user ?? 'default'}' has no permission for what topo does (${said}); ` +
        "grant it, e.g. ACL SETUSER NAME on >PASSWORD '~topo:*' '~<stream names>' '+@all -@dangerous', or use another user",
    );
  }
  if (UNTRUSTED.has(code)) {
    return new RedisTlsError(`TLS certificate check failed for ${at}: the server's certificate is not signed by a CA this client trusts (${code}); give the CA certificate that signed it with --redis-tls-ca FILE (or tls-ca=FILE in the URL's query)`);
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new RedisTlsError(`TLS certificate check failed for ${at}: the server's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}; renew it on the server (or fix this machine's clock)`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RedisTlsError(`TLS certificate check failed for ${at}: ${said}; connect by a name the certificate holds, or give that name with --redis-tls-servername NAME (tls-servername=NAME in the URL's query)`);
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' && /certificate/i.test(message))) {
    return new RedisTlsError(`TLS handshake with ${at} failed: the server requires a client certificate; give it with --redis-tls-cert FILE --redis-tls-key FILE (tls-cert=FILE&tls-key=FILE in the URL's query)`);
  }
  if (/^ERR_SSL_(SSLV3|TLSV1)_ALERT_(BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|ACCESS_DENIED)$/.test(code)) {
    return new RedisTlsError(`TLS handshake with ${at} failed: the server rejected this client's certificate (${code}); give a certificate signed by a CA the server trusts (its tls-ca-cert-file), made for client authentication, with --redis-tls-cert FILE --redis-tls-key FILE`);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new RedisTlsError(`TLS handshake with ${at} failed: the server does not speak TLS on that port (${code}); use redis:// for a plain port, or the server's tls-port`);
  }
  return null;
}

/** A hint for the timeout message from the last retried error (e.g. TLS on one side only). */
export function retryHint(err: unknown, url: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  const tls = /^rediss:/i.test(url.trim());
  if (tls && code === 'ETIMEDOUT') return ' (no answer to the TLS handshake: if that port is not a TLS port, use redis://)';
  if (!tls && (code === 'ECONNRESET' || /Connection is closed/.test(String((err as Error | null)?.message)))) {
    return ' (the server closed the connection: if it serves TLS on that port, use rediss://)';
  }
  return '';
}
