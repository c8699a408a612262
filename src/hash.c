/* hash: SipHash-2-4 under a key of the process (hash.h). The only file that
 * includes <sodium.h>. */
#include "hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

_Static_assert(HASH_KEY_BYTES == crypto_shorthash_KEYBYTES, "libsodium's key size");
_Static_assert(crypto_shorthash_BYTES == sizeof(uint64_t), "libsodium's hash size");

static unsigned char key[HASH_KEY_BYTES];
static int have_key;

/* Without entropy (a system just booted, getrandom refused by a sandbox) the
 * key is still one no input can be made for in advance: the clock to the
 * nanosecond, the process id and where the system placed the stack and this
 * code (address space layout randomisation). */
static void draw_key(void)
{
    ssize_t got = getrandom(key, sizeof key, GRND_NONBLOCK);
    if (got != (ssize_t)sizeof key) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t a =
            ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ (uint64_t)(uintptr_t)&ts;
        uint64_t b = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)draw_key;
        memcpy(key, &a, sizeof a);
        memcpy(key + sizeof a, &b, sizeof b);
    }
    have_key = 1;
}

uint64_t hash_bytes(const void *data, size_t len)
{
    if (!have_key)
        draw_key();
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, data, len, key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

void hash_set_key(const unsigned char k[HASH_KEY_BYTES])
{
    memcpy(key, k, sizeof key);
    have_key = 1;
}
