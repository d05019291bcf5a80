/*
 * points/common.h - what every libpoints header needs: the export macro,
 * the version, result codes, limits, the opaque handles, and the
 * library-wide functions (version, strerror, allocator, free).
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_COMMON_H
#define POINTS_INCLUDE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define POINTS_EXTERN __declspec(dllexport)
#elif defined(__GNUC__)
#define POINTS_EXTERN __attribute__((visibility("default")))
#else
#define POINTS_EXTERN
#endif

#define POINTS_VERSION "0.2.0"
#define POINTS_VERSION_NUMBER 2000 /* major*1000000 + minor*1000 + patch */

/* ---- Result codes.  New codes are only appended. ---- */
#define POINTS_OK 0
#define POINTS_EINVAL (-1)        /* bad argument */
#define POINTS_ENOTFOUND (-2)     /* no such account, asset, transaction */
#define POINTS_EEXISTS (-3)       /* already exists */
#define POINTS_EINSUFFICIENT (-4) /* not enough available points */
#define POINTS_EFROZEN (-5)       /* account is frozen */
#define POINTS_ECONFLICT (-6)     /* idempotency key reused differently */
#define POINTS_EOVERFLOW (-7)     /* int64 overflow */
#define POINTS_EBUSY (-8)         /* store locked by another process */
#define POINTS_ESTORAGE (-9)      /* the store failed */
#define POINTS_ENOMEM (-10)       /* out of memory */
#define POINTS_ESTATE (-11)       /* wrong state (hold settled, batch...) */
#define POINTS_ECLOSED (-12)      /* account is closed */
#define POINTS_EVERSION (-13)     /* struct or store version unsupported */
#define POINTS_ECORRUPT (-14)     /* stored data fails its checks */
#define POINTS_EMISUSE (-15)      /* API used out of order */
#define POINTS_ERETRY (-16)       /* a conflicting writer won: retry it all */
#define POINTS_ELIMIT (-17)       /* a limit of the library or store */
#define POINTS_EPERM (-18)        /* not permitted to this actor (four
                                   * eyes: an approver is not the
                                   * nominator) */
#define POINTS_EOUTOFSTOCK (-19)  /* an item's stock cannot fill an order */
#define POINTS_ENOTELIGIBLE (-20) /* the account may not: a tier-only item */
#define POINTS_EQUOTA (-21)       /* over a per-order or per-period limit */
#define POINTS_EWINDOW (-22)      /* outside a redemption window */
#define POINTS_ITEROVER 1         /* iteration finished; not an error */

/* ---- Limits (bytes, excluding the terminating NUL). ---- */
#define POINTS_ASSET_MAX 16
#define POINTS_EXTID_MAX 64
#define POINTS_NAME_MAX 128
#define POINTS_TIER_MAX 32
#define POINTS_DEPT_MAX 64
#define POINTS_ATTR_KEY_MAX 64
#define POINTS_ATTR_VALUE_MAX 1024
#define POINTS_MEMO_MAX 256
#define POINTS_IDEM_MAX 128
#define POINTS_CATEGORY_MAX 32 /* [a-z0-9_.-], at least 1 */
#define POINTS_ACTOR_MAX 64    /* UTF-8, at least 1 byte */
#define POINTS_REASON_MAX 256  /* an account change's reason */
#define POINTS_ID_LEN 36 /* text of a UUID */

typedef struct points_db points_db;
typedef struct points_store points_store;

/* ---- Library ---- */

POINTS_EXTERN const char *points_version(void);
/* The version of the library that is running (POINTS_VERSION_NUMBER of
 * the headers it was built with): compare with the headers a program
 * was compiled against. */
POINTS_EXTERN int points_version_number(void);
POINTS_EXTERN const char *points_strerror(int code);

/* Replace the allocator used by the library (NULL, NULL, NULL restores
 * malloc/realloc/free).  Process-wide; call while no handle is open. */
typedef void *(*points_malloc_fn)(size_t);
typedef void *(*points_realloc_fn)(void *, size_t);
typedef void (*points_free_fn)(void *);
POINTS_EXTERN int points_set_allocator(points_malloc_fn m, points_realloc_fn r,
    points_free_fn f);
/* Free memory the library returned as owned (strings). NULL is accepted. */
POINTS_EXTERN void points_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_COMMON_H */
