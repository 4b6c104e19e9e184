/*
 * Functions that must not be used in this project: unbounded copies, hidden
 * static state, or silent failure. Included last by every .c file.
 */
#ifndef FQ_CORE_BANNED_H
#define FQ_CORE_BANNED_H

#define FQ_BANNED(f) sorry_##f##_is_banned_in_fengqiao

#undef strcpy
#define strcpy(a, b) FQ_BANNED(strcpy)
#undef strcat
#define strcat(a, b) FQ_BANNED(strcat)
#undef sprintf
#define sprintf(...) FQ_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) FQ_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) FQ_BANNED(strtok)
#undef gets
#define gets(a) FQ_BANNED(gets)
#undef atoi
#define atoi(a) FQ_BANNED(atoi)
#undef atol
#define atol(a) FQ_BANNED(atol)
#undef gmtime
#define gmtime(a) FQ_BANNED(gmtime)
#undef localtime
#define localtime(a) FQ_BANNED(localtime)
#undef ctime
#define ctime(a) FQ_BANNED(ctime)
#undef asctime
#define asctime(a) FQ_BANNED(asctime)

#endif
