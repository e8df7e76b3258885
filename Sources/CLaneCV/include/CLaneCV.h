#ifndef LANESIGHT_CLANECV_H
#define LANESIGHT_CLANECV_H
#ifdef __cplusplus
extern "C" {
#endif
int lcv_version(void);
#ifdef __cplusplus
}
#endif
#endif
