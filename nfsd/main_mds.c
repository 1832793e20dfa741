/* nfsd/main_mds.c — strata-mds: the metadata server. With
 * --data-server it hands out pNFS file layouts over those data servers. */
#include "main_common.h"
#include "server.h"

int main(int argc, char **argv)
{
	return strata_main(argc, argv, ROLE_MDS, "strata-mds");
}
