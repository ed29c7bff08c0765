// redisquota/quota_scripts.cc — Lua text of the quota scripts. Shared
// helpers are prepended to each script at compile time (string pasting).
#include "redisquota/quota_scripts.h"

namespace sendguard {
namespace redisquota {

#define SG_LUA_HELPERS                                                             \
  "local function int(x) return string.format('%d', x) end\n"                     \
  "local function clock(arg)\n"                                                    \
  "  local n = tonumber(arg)\n"                                                    \
  "  if n and n > 0 then return n end\n"                                           \
  "  return tonumber(redis.call('TIME')[1])\n"                                     \
  "end\n"                                                                          \
  "local function bpw(w, r) return math.floor((w + r - 1) / r) end\n"             \
  "local function series_key(base, m, w, r)\n"                                     \
  "  return base .. ':w:' .. m .. ':' .. w .. ':' .. r\n"                          \
  "end\n"                                                                          \
  "local function extend(key, secs)\n"                                             \
  "  if secs < 1 then secs = 1 end\n"                                              \
  "  if redis.call('TTL', key) < secs then redis.call('EXPIRE', key, int(secs)) end\n" \
  "end\n"                                                                          \
  "local function live_buckets(key, w, r, now, keep)\n"                                  \
  "  local oldest = math.floor(now / r) - bpw(w, r)\n"                             \
  "  local flat = redis.call('HGETALL', key)\n"                                    \
  "  local live, stale = {}, {}\n"                                                 \
  "  for i = 1, #flat, 2 do\n"                                                     \
  "    local idx = tonumber(flat[i])\n"                                            \
  "    if idx == nil or idx < oldest then stale[#stale + 1] = flat[i]\n"           \
  "    else live[#live + 1] = {idx, tonumber(flat[i + 1]) or 0} end\n"            \
  "  end\n"                                                                        \
  "  if #stale > 0 and not keep then redis.call('HDEL', key, unpack(stale)) end\n"   \
  "  table.sort(live, function(a, b) return a[1] < b[1] end)\n"                    \
  "  return live\n"                                                                \
  "end\n"                                                                          \
  "local function parse_pending(v)\n"                                              \
  "  local d, m, r, b = string.match(v, '^(%-?%d+) (%d+) (%d+) (%d+)$')\n"         \
  "  if d == nil then return nil end\n"                                            \
  "  return tonumber(d), {tonumber(m), tonumber(r), tonumber(b)}\n"                \
  "end\n"                                                                          \
  "local function totals(key)\n"                                                   \
  "  local t = redis.call('HMGET', key, '#m', '#r', '#b')\n"                       \
  "  return {tonumber(t[1]) or 0, tonumber(t[2]) or 0, tonumber(t[3]) or 0}\n"     \
  "end\n"                                                                          \
  "local function store_totals(key, sum)\n"                                        \
  "  if sum[1] == 0 and sum[2] == 0 and sum[3] == 0 and\n"                         \
  "     redis.call('HLEN', key) <= 3 then redis.call('DEL', key) return end\n"     \
  "  redis.call('HSET', key, '#m', int(sum[1]), '#r', int(sum[2]), '#b', int(sum[3]))\n" \
  "end\n"                                                                          \
  "local function pending(base, now, keep)\n"                                      \
  "  local key, dkey = base .. ':p', base .. ':d'\n"                               \
  "  local sum = totals(key)\n"                                                    \
  "  local expired = redis.call('ZRANGEBYSCORE', dkey, '-inf', int(now))\n"        \
  "  if #expired == 0 then return sum end\n"                                       \
  "  for _, id in ipairs(expired) do\n"                                            \
  "    local v = redis.call('HGET', key, id)\n"                                    \
  "    local d, a = nil, nil\n"                                                    \
  "    if v then d, a = parse_pending(v) end\n"                                    \
  "    if a then for j = 1, 3 do sum[j] = sum[j] - a[j] end end\n"                 \
  "    if v and not keep then redis.call('HDEL', key, id) end\n"                   \
  "  end\n"                                                                        \
  "  if not keep then\n"                                                           \
  "    redis.call('ZREMRANGEBYSCORE', dkey, '-inf', int(now))\n"                   \
  "    store_totals(key, sum)\n"                                                   \
  "  end\n"                                                                        \
  "  return sum\n"                                                                 \
  "end\n"                                                                          \
  "local function remove_pending(base, id)\n"                                      \
  "  local key = base .. ':p'\n"                                                   \
  "  local v = redis.call('HGET', key, id)\n"                                      \
  "  if not v then return 0 end\n"                                                 \
  "  local d, a = parse_pending(v)\n"                                              \
  "  local sum = totals(key)\n"                                                    \
  "  if a then for j = 1, 3 do sum[j] = sum[j] - a[j] end end\n"                   \
  "  redis.call('HDEL', key, id)\n"                                                \
  "  redis.call('ZREM', base .. ':d', id)\n"                                       \
  "  store_totals(key, sum)\n"                                                     \
  "  return 1\n"                                                                   \
  "end\n"                                                                          \
  "local function check(live, pend, limit, w, r, extra, now)\n"                    \
  "  local used = pend\n"                                                          \
  "  for _, b in ipairs(live) do used = used + b[2] end\n"                         \
  "  if used + extra <= limit then return true, used, 0 end\n"                     \
  "  local need = used + extra - limit\n"                                          \
  "  if extra <= limit then\n"                                                     \
  "    for _, b in ipairs(live) do\n"                                              \
  "      need = need - b[2]\n"                                                     \
  "      if need <= 0 then return false, used, (b[1] + bpw(w, r) + 1) * r end\n"   \
  "    end\n"                                                                      \
  "    if pend > 0 then return false, used, now + r end\n"                         \
  "  end\n"                                                                        \
  "  return false, used, now + w\n"                                                \
  "end\n"                                                                          \
  "local function record_write(hkey, field, expected, bytes)\n"                   \
  "  local cur = redis.call('HGET', hkey, field)\n"                               \
  "  local version = 0\n"                                                         \
  "  if cur then version = tonumber(string.match(cur, '^(%d+)\\n')) or 0 end\n"    \
  "  if version ~= tonumber(expected) then return {0, cur or ''} end\n"           \
  "  if bytes == '' then redis.call('HDEL', hkey, field)\n"                        \
  "  else redis.call('HSET', hkey, field, int(version + 1) .. '\\n' .. bytes) end\n" \
  "  return {1, ''}\n"                                                             \
  "end\n"

const char* const kReserveScript = SG_LUA_HELPERS
    "local now = clock(ARGV[1])\n"
    "local id, ttl = ARGV[2], tonumber(ARGV[3])\n"
    "local delta = {tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])}\n"
    "local pos = 7\n"
    "for s = 1, #KEYS do\n"
    "  local base = KEYS[s]\n"
    "  local pend = pending(base, now)\n"
    "  local k = tonumber(ARGV[pos]); pos = pos + 1\n"
    "  for l = 1, k do\n"
    "    local m, limit, w, r = ARGV[pos], tonumber(ARGV[pos + 1]), ARGV[pos + 2], ARGV[pos + 3]\n"
    "    pos = pos + 4\n"
    "    local mi = tonumber(m) + 1\n"
    "    if delta[mi] ~= 0 then\n"
    "      local wn, rn = tonumber(w), tonumber(r)\n"
    "      local live = live_buckets(series_key(base, m, w, r), wn, rn, now)\n"
    "      local fits, used, retry = check(live, pend[mi], limit, wn, rn, delta[mi], now)\n"
    "      if not fits then return {0, s, l, used, retry, now} end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "for s = 1, #KEYS do\n"
    "  local key, dkey = KEYS[s] .. ':p', KEYS[s] .. ':d'\n"
    "  local add = {delta[1], delta[2], delta[3]}\n"
    "  local old = redis.call('HGET', key, id)\n"
    "  if old then\n"
    "    local d, a = parse_pending(old)\n"
    "    if d ~= nil then for j = 1, 3 do add[j] = add[j] + a[j] end end\n"
    "  end\n"
    "  local sum = totals(key)\n"
    "  for j = 1, 3 do sum[j] = sum[j] + delta[j] end\n"
    "  redis.call('HSET', key, id,\n"
    "             int(now + ttl) .. ' ' .. int(add[1]) .. ' ' .. int(add[2]) .. ' ' .. int(add[3]))\n"
    "  redis.call('HSET', key, '#m', int(sum[1]), '#r', int(sum[2]), '#b', int(sum[3]))\n"
    "  redis.call('ZADD', dkey, int(now + ttl), id)\n"
    "  extend(key, ttl + 1)\n"
    "  extend(dkey, ttl + 1)\n"
    "end\n"
    "return {1, 0, 0, 0, 0, now}\n";

const char* const kCommitScript = SG_LUA_HELPERS
    "local now = clock(ARGV[1])\n"
    "local id = ARGV[2]\n"
    "local amounts = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}\n"
    "local with_record = ARGV[6] == '1'\n"
    "local pos, subjects = 7, #KEYS\n"
    "if with_record then pos, subjects = 10, #KEYS - 1 end\n"
    "for s = 1, subjects do\n"
    "  local base = KEYS[s]\n"
    "  remove_pending(base, id)\n"
    "  local k = tonumber(ARGV[pos]); pos = pos + 1\n"
    "  for l = 1, k do\n"
    "    local m, w, r = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2]\n"
    "    pos = pos + 3\n"
    "    local count = amounts[tonumber(m) + 1]\n"
    "    if count ~= 0 then\n"
    "      local wn, rn = tonumber(w), tonumber(r)\n"
    "      local key = series_key(base, m, w, r)\n"
    "      local idx = math.floor(now / rn)\n"
    "      redis.call('HINCRBY', key, int(idx), int(count))\n"
    "      local life = (idx + bpw(wn, rn) + 1) * rn - now + 1\n"
    "      extend(key, life)\n"
    "      if redis.call('HLEN', key) > bpw(wn, rn) + 2 then live_buckets(key, wn, rn, now) end\n"
    "      redis.call('SADD', base .. ':i', m .. ':' .. w .. ':' .. r)\n"
    "      extend(base .. ':i', life)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if with_record then return record_write(KEYS[#KEYS], ARGV[7], ARGV[8], ARGV[9]) end\n"
    "return now\n";

const char* const kReleaseScript = SG_LUA_HELPERS
    "local with_record = ARGV[2] == '1'\n"
    "local subjects = #KEYS\n"
    "if with_record then subjects = #KEYS - 1 end\n"
    "local n = 0\n"
    "for s = 1, subjects do n = n + remove_pending(KEYS[s], ARGV[1]) end\n"
    "if with_record then return record_write(KEYS[#KEYS], ARGV[3], ARGV[4], ARGV[5]) end\n"
    "return n\n";

const char* const kReadScript = SG_LUA_HELPERS
    "local now = clock(ARGV[1])\n"
    "local k = tonumber(ARGV[2])\n"
    "local out = {}\n"
    "for s = 1, #KEYS do\n"
    "  local base = KEYS[s]\n"
    "  local pend = pending(base, now, true)\n"
    "  for l = 0, k - 1 do\n"
    "    local p = 3 + 4 * l\n"
    "    local m, limit, w, r = ARGV[p], tonumber(ARGV[p + 1]), ARGV[p + 2], ARGV[p + 3]\n"
    "    local wn, rn, mi = tonumber(w), tonumber(r), tonumber(m) + 1\n"
    "    local live = live_buckets(series_key(base, m, w, r), wn, rn, now, true)\n"
    "    local fits, used, retry = check(live, pend[mi], limit, wn, rn, 1, now)\n"
    "    out[#out + 1] = used - pend[mi]\n"
    "    out[#out + 1] = pend[mi]\n"
    "    out[#out + 1] = retry\n"
    "  end\n"
    "end\n"
    "out[#out + 1] = now\n"
    "return out\n";

const char* const kResetScript =
    "local base = KEYS[1]\n"
    "local keys = {base .. ':p', base .. ':d', base .. ':i'}\n"
    "for _, series in ipairs(redis.call('SMEMBERS', base .. ':i')) do\n"
    "  keys[#keys + 1] = base .. ':w:' .. series\n"
    "end\n"
    "return redis.call('DEL', unpack(keys))\n";

const char* const kRecordWriteScript = SG_LUA_HELPERS
    "return record_write(KEYS[1], ARGV[1], ARGV[2], ARGV[3])\n";

#undef SG_LUA_HELPERS

const char* const kIdentityScript =
    "return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[2])}\n";

}  // namespace redisquota
}  // namespace sendguard
