/* nfsd/main_ds.c — strata-ds: a data server (stripe objects, NFSv4.1 DS
 * role, control protocol for its MDS). */
#include "main_common.h"
#include "server.h"

int main(int argc, char **argv)
{
	return strata_main(argc, argv, ROLE_DS, "strata-ds");
}
