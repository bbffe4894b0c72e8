/* Pair generator for vercmp_differential.sh / vercmp_reference.sh: prints N lines "A<TAB>B"
 * of versions that stress a scheme's rules (tildes, carets, epochs, letters, leading zeros,
 * empty segments, long numbers). Half of the B's are small edits of A so that many pairs are
 * decided late; the rest are independent. Deterministic for a given seed.
 *
 * usage: vgen deb|rpm|pypi|maven|gem|semver N SEED */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 256

static uint64_t st;
static uint32_t rnd(uint32_t n)
{
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return (uint32_t)((st >> 11) % n);
}
static int chance(int pct)
{
	return (int)rnd(100) < pct;
}

struct out {
	char s[MAXV];
	size_t n;
};
static void put(struct out *o, const char *s)
{
	size_t k = strlen(s);
	if (o->n + k < MAXV - 1) {
		memcpy(o->s + o->n, s, k);
		o->n += k;
		o->s[o->n] = '\0';
	}
}
static void putc1(struct out *o, char c)
{
	char b[2] = {c, 0};
	put(o, b);
}
static void pick(struct out *o, const char *const *set, size_t n)
{
	put(o, set[rnd((uint32_t)n)]);
}
#define PICK(o, arr) pick(o, arr, sizeof(arr) / sizeof(arr[0]))

static void digits(struct out *o)
{
	uint32_t len = chance(5) ? 15 + rnd(30) : 1 + rnd(3);
	if (chance(20))
		putc1(o, '0');
	for (uint32_t i = 0; i < len; i++)
		putc1(o, (char)('0' + rnd(i == 0 && !chance(10) ? 9 : 10) + (i == 0 ? 0 : 0)));
}
static void letters(struct out *o, const char *alpha)
{
	uint32_t len = 1 + rnd(3);
	for (uint32_t i = 0; i < len; i++)
		putc1(o, alpha[rnd((uint32_t)strlen(alpha))]);
}

/* Debian: [epoch:]upstream[-revision], valid for dpkg (upstream starts with a digit). */
static void gen_deb(struct out *o)
{
	static const char *const epochs[] = {"0",  "1", "2",	      "00", "01",
					     "10", "9", "2147483647", "+1", "-0"};
	int epoch = chance(35), rev = chance(60);
	uint32_t parts = 1 + rnd(6);
	if (epoch) {
		PICK(o, epochs);
		putc1(o, ':');
	}
	digits(o);
	for (uint32_t i = 0; i < parts; i++) {
		switch (rnd(6)) {
		case 0:
		case 1:
			digits(o);
			break;
		case 2:
			letters(o, "abzAZ");
			break;
		default: {
			char seps[8] = ".+~";
			size_t n = 3;
			if (rev)
				seps[n++] = '-';
			if (epoch)
				seps[n++] = ':';
			putc1(o, seps[rnd((uint32_t)n)]);
			if (chance(15))
				putc1(o, '~');
		}
		}
	}
	if (rev) {
		putc1(o, '-');
		parts = 1 + rnd(4);
		for (uint32_t i = 0; i < parts; i++) {
			switch (rnd(4)) {
			case 0:
			case 1:
				digits(o);
				break;
			case 2:
				letters(o, "abuZ");
				break;
			default:
				putc1(o, ".+~"[rnd(3)]);
			}
		}
	}
}

/* RPM: [epoch:]version[-release] with rpm's separators, tilde and caret. */
static void gen_rpm(struct out *o)
{
	static const char *const words[] = {"a",  "b",	"z",   "A",  "Z",
					    "rc", "el", "git", "fc", "module_el"};
	static const char *const seps[] = {".", ".", "_", "+", "~", "^", "..", "%", "~~", "^~"};
	uint32_t parts = 1 + rnd(7);
	if (chance(30)) {
		static const char *const epochs[] = {"0", "1", "2", "10", "007", ""};
		PICK(o, epochs);
		putc1(o, ':');
	}
	for (int half = 0; half < 2; half++) {
		if (half) {
			if (!chance(65))
				break;
			putc1(o, '-');
			parts = 1 + rnd(5);
		}
		for (uint32_t i = 0; i < parts; i++) {
			switch (rnd(5)) {
			case 0:
			case 1:
				digits(o);
				break;
			case 2:
				PICK(o, words);
				break;
			default:
				PICK(o, seps);
			}
		}
	}
}

static void gen_pypi(struct out *o)
{
	static const char *const pre[] = {"a",	 "b",	    "rc", "c",	"alpha", "beta",
					  "pre", "preview", "RC", ".a", "-b",	 "_rc"};
	static const char *const post[] = {".post", "post", "-post", ".r", "rev", "-", "_post"};
	static const char *const local[] = {"ubuntu", "1", "abc", "01", "deb", "x"};
	if (chance(10)) {
		digits(o);
		putc1(o, '!');
	}
	if (chance(5))
		putc1(o, 'v');
	digits(o);
	for (uint32_t i = rnd(4); i > 0; i--) {
		putc1(o, '.');
		digits(o);
	}
	if (chance(35)) {
		PICK(o, pre);
		if (chance(80))
			digits(o);
	}
	if (chance(25)) {
		PICK(o, post);
		if (chance(80) || o->s[o->n - 1] == '-')
			digits(o);
	}
	if (chance(25)) {
		put(o, chance(50) ? ".dev" : "dev");
		if (chance(80))
			digits(o);
	}
	if (chance(15)) {
		putc1(o, '+');
		PICK(o, local);
		for (uint32_t i = rnd(3); i > 0; i--) {
			putc1(o, ".-_"[rnd(3)]);
			PICK(o, local);
		}
	}
	if (chance(3))
		putc1(o, "._-+x"[rnd(5)]); /* sometimes invalid */
}

static void gen_maven(struct out *o)
{
	static const char *const quals[] = {
	    "alpha",   "beta",	  "milestone", "rc", "cr", "SNAPSHOT", "ga",
	    "final",   "release", "sp",	       "a",  "b",  "m",	       "jre",
	    "RELEASE", "Final",	  "redhat",    "M",  "RC", "android",  "v"};
	uint32_t parts = 1 + rnd(6);
	for (uint32_t i = 0; i < parts; i++) {
		switch (rnd(6)) {
		case 0:
		case 1:
		case 2:
			digits(o);
			break;
		case 3:
			PICK(o, quals);
			break;
		default:
			putc1(o, ".-"[rnd(2)]);
		}
		if (chance(60) && i + 1 < parts)
			putc1(o, ".-"[rnd(2)]);
	}
}

static void gen_gem(struct out *o)
{
	static const char *const words[] = {"a", "b", "pre", "rc", "beta", "alpha", "A", "x"};
	digits(o);
	for (uint32_t i = rnd(5); i > 0; i--) {
		putc1(o, '.');
		if (chance(70))
			digits(o);
		else
			PICK(o, words);
		if (chance(15))
			PICK(o, words);
	}
	if (chance(20)) {
		putc1(o, '-');
		PICK(o, words);
		if (chance(50)) {
			putc1(o, chance(50) ? '.' : '-');
			digits(o);
		}
	}
}

static void gen_semver(struct out *o)
{
	static const char *const ids[] = {"alpha", "beta", "rc", "0",  "1",  "2",
					  "10",	   "x-y",  "A",	 "a1", "1a", "-"};
	if (chance(10))
		putc1(o, 'v');
	for (int i = 0; i < 3; i++) {
		if (i)
			putc1(o, '.');
		if (chance(50))
			putc1(o, (char)('0' + rnd(3)));
		else
			digits(o);
	}
	if (chance(50)) {
		putc1(o, '-');
		for (uint32_t i = 1 + rnd(3); i > 0; i--) {
			PICK(o, ids);
			if (i > 1)
				putc1(o, '.');
		}
	}
	if (chance(15)) {
		putc1(o, '+');
		PICK(o, ids);
	}
}

/* B as a small edit of A: change, insert or delete one character from the scheme's alphabet. */
static void mutate(const struct out *a, struct out *b, const char *alphabet)
{
	size_t pos;
	*b = *a;
	if (!b->n)
		return;
	pos = rnd((uint32_t)b->n);
	switch (rnd(3)) {
	case 0:
		b->s[pos] = alphabet[rnd((uint32_t)strlen(alphabet))];
		break;
	case 1:
		if (b->n + 1 < MAXV) {
			memmove(b->s + pos + 1, b->s + pos, b->n - pos + 1);
			b->s[pos] = alphabet[rnd((uint32_t)strlen(alphabet))];
			b->n++;
		}
		break;
	default:
		memmove(b->s + pos, b->s + pos + 1, b->n - pos);
		b->n--;
	}
}

int main(int argc, char **argv)
{
	void (*gen)(struct out *);
	const char *alphabet;
	long n;
	if (argc != 4)
		return 2;
	n = strtol(argv[2], NULL, 10);
	st = 0x9e3779b97f4a7c15ull ^ (uint64_t)strtoull(argv[3], NULL, 10) * 0x2545f4914f6cdd1dull;
	if (!strcmp(argv[1], "deb")) {
		gen = gen_deb;
		alphabet = "0123456789.+~-:ab";
	} else if (!strcmp(argv[1], "rpm")) {
		gen = gen_rpm;
		alphabet = "0123456789.~^_-:ab";
	} else if (!strcmp(argv[1], "pypi")) {
		gen = gen_pypi;
		alphabet = "0123456789.-_+!abrcv";
	} else if (!strcmp(argv[1], "maven")) {
		gen = gen_maven;
		alphabet = "0123456789.-abmrs";
	} else if (!strcmp(argv[1], "gem")) {
		gen = gen_gem;
		alphabet = "0123456789.-abpr";
	} else if (!strcmp(argv[1], "semver")) {
		gen = gen_semver;
		alphabet = "0123456789.-+abrv";
	} else {
		return 2;
	}
	for (long i = 0; i < n; i++) {
		struct out a = {{0}, 0}, b = {{0}, 0};
		gen(&a);
		if (chance(50))
			mutate(&a, &b, alphabet);
		else
			gen(&b);
		printf("%s\t%s\n", a.s, b.s);
	}
	return 0;
}
