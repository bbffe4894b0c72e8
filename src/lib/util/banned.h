/* Functions that are easy to misuse on untrusted input; use ld_buf / ld_slice helpers instead.
 * Included last by every library source file (via util/common.h). */
#ifndef LD_BANNED_H
#define LD_BANNED_H

#define LD_BANNED(func) sorry_##func##_is_banned_in_lading

#undef strcpy
#define strcpy(x, y) LD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) LD_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) LD_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) LD_BANNED(strncat)
#undef sprintf
#define sprintf(...) LD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) LD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) LD_BANNED(strtok)
#undef atoi
#define atoi(x) LD_BANNED(atoi)
#undef atol
#define atol(x) LD_BANNED(atol)
#undef atoll
#define atoll(x) LD_BANNED(atoll)
#undef gets
#define gets(x) LD_BANNED(gets)

#endif
