/* tools/strata/clients.c — `strata clients` (like knfsd's
 * /proc/fs/nfsd/clients) and `strata exports`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"

static json_object *client_json(const ctl_client *c)
{
	json_object *o = json_object_new_object();
	char id[32];

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)c->clientid);
	json_object_object_add(o, "clientid", json_object_new_string(id));
	json_object_object_add(o, "owner", json_object_new_string(c->owner));
	json_object_object_add(o, "address", json_object_new_string(c->addr));
	json_object_object_add(o, "minor_version",
			       json_object_new_int((int)c->minor));
	json_object_object_add(o, "state",
			       json_object_new_string(
				       !c->confirmed ? "unconfirmed"
				       : c->courtesy ? "courtesy"
						     : "confirmed"));
	json_object_object_add(o, "lease_age_s",
			       json_object_new_int64(c->lease_age));
	json_object_object_add(o, "sessions",
			       json_object_new_int64(c->sessions));
	json_object_object_add(o, "opens", json_object_new_int64(c->opens));
	json_object_object_add(o, "locks", json_object_new_int64(c->locks));
	json_object_object_add(o, "delegations",
			       json_object_new_int64(c->delegations));
	json_object_object_add(o, "layouts", json_object_new_int64(c->layouts));
	return o;
}

static void clients_table(const ctl_clients *cl)
{
	printf("%-16s %-22s %-5s %-11s %5s %4s %5s %5s %6s %7s  %s\n",
	       "CLIENTID", "ADDRESS", "MINOR", "STATE", "LEASE", "SESS",
	       "OPENS", "LOCKS", "DELEGS", "LAYOUTS", "OWNER");
	for (u_int i = 0; i < cl->clients.clients_len; i++) {
		const ctl_client *c = &cl->clients.clients_val[i];

		printf("%016llx %-22s 4.%-3u %-11s %4us %4u %5u %5u %6u %7u  "
		       "%s\n",
		       (unsigned long long)c->clientid,
		       c->addr[0] ? c->addr : "-", c->minor,
		       !c->confirmed ? "unconfirmed"
		       : c->courtesy ? "courtesy"
				     : "confirmed",
		       c->lease_age, c->sessions, c->opens, c->locks,
		       c->delegations, c->layouts, c->owner);
	}
	if (cl->total > cl->clients.clients_len)
		printf("(%llu clients; %u shown)\n",
		       (unsigned long long)cl->total, cl->clients.clients_len);
}

int cmd_clients(struct cli *cli)
{
	ctl_clients_res res;

	memset(&res, 0, sizeof(res));
	if (cli_fetch(cli, CTL_CLIENTS, (xdrproc_t)xdr_ctl_clients_res, &res,
		      "clients") < 0)
		return 1;
	if (cli->json) {
		const ctl_clients *cl = &res.ctl_clients_res_u.cl;
		json_object *o = json_object_new_object();
		json_object *a = json_object_new_array();

		for (u_int i = 0; i < cl->clients.clients_len; i++)
			json_object_array_add(
				a, client_json(&cl->clients.clients_val[i]));
		json_object_object_add(o, "total",
				       json_object_new_uint64(cl->total));
		json_object_object_add(o, "clients", a);
		cli_print_json(o);
	} else {
		clients_table(&res.ctl_clients_res_u.cl);
	}
	xdr_free((xdrproc_t)xdr_ctl_clients_res, &res);
	return 0;
}

int cmd_exports(struct cli *cli)
{
	ctl_exports_res res;
	json_object *a;

	memset(&res, 0, sizeof(res));
	if (cli_fetch(cli, CTL_EXPORTS, (xdrproc_t)xdr_ctl_exports_res, &res,
		      "exports") < 0)
		return 1;
	a = json_object_new_array();
	if (!cli->json)
		printf("%-24s %-16s %s\n", "PATH", "CLIENTS", "OPTIONS");
	for (u_int i = 0; i < res.ctl_exports_res_u.exports.exports_len; i++) {
		const ctl_export *e =
			&res.ctl_exports_res_u.exports.exports_val[i];
		json_object *o = json_object_new_object();

		if (!cli->json)
			printf("%-24s %-16s %s\n", e->path, e->clients,
			       e->options);
		json_object_object_add(o, "path", json_object_new_string(e->path));
		json_object_object_add(o, "clients",
				       json_object_new_string(e->clients));
		json_object_object_add(o, "options",
				       json_object_new_string(e->options));
		json_object_array_add(a, o);
	}
	if (cli->json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "exports", a);
		cli_print_json(o);
	} else {
		json_object_put(a);
	}
	xdr_free((xdrproc_t)xdr_ctl_exports_res, &res);
	return 0;
}
