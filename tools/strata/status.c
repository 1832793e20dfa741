/* tools/strata/status.c — `strata status`: every server of the cluster
 * (the MDS answers for itself and, from its heartbeats, for each data
 * server), capacity, grace. Exit 3 when a server is not up. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"

static const char *ds_state(ctl_ds_state s)
{
	return s == CTL_DS_UP     ? "up"
	       : s == CTL_DS_DOWN ? "down"
				  : "quarantined";
}

static json_object *status_json(const ctl_status *st, const char *server)
{
	json_object *o = json_object_new_object();
	json_object *servers = json_object_new_array();
	json_object *m = cli_info_json(&st->self);

	json_object_object_add(m, "role", json_object_new_string("mds"));
	json_object_object_add(m, "address", json_object_new_string(server));
	json_object_object_add(m, "state", json_object_new_string("up"));
	json_object_array_add(servers, m);
	for (u_int i = 0; i < st->ds.ds_len; i++) {
		const ctl_ds_status *d = &st->ds.ds_val[i];
		json_object *s = d->info && d->state == CTL_DS_UP
					 ? cli_info_json(d->info)
					 : json_object_new_object();

		/* Not up: what it said last, apart from its current facts. */
		if (d->info && d->state != CTL_DS_UP)
			json_object_object_add(s, "last_heartbeat",
					       cli_info_json(d->info));

		json_object_object_add(s, "role", json_object_new_string("ds"));
		json_object_object_add(s, "slot", json_object_new_int(
							  (int)d->slot));
		json_object_object_add(s, "address",
				       json_object_new_string(d->addr));
		json_object_object_add(s, "advertised",
				       json_object_new_string(d->advertised));
		json_object_object_add(s, "state", json_object_new_string(
							   ds_state(d->state)));
		json_object_object_add(
			s, "seen_ago_s",
			d->seen_ago == 0xffffffffu
				? NULL
				: json_object_new_int64(d->seen_ago));
		json_object_array_add(servers, s);
	}
	json_object_object_add(o, "servers", servers);
	json_object_object_add(o, "heartbeat_s",
			       json_object_new_int((int)st->heartbeat));
	json_object_object_add(o, "stripe_unit",
			       json_object_new_int64(st->stripe_unit));
	json_object_object_add(o, "device_epoch",
			       json_object_new_int64(st->device_epoch));
	json_object_object_add(o, "lease_s",
			       json_object_new_int((int)st->self.lease_time));
	json_object_object_add(o, "grace",
			       json_object_new_boolean(st->self.grace));
	json_object_object_add(o, "reclaim_pending",
			       json_object_new_int(
				       (int)st->self.reclaim_pending));
	return o;
}

static void row(const char *role, const char *slot, const char *addr,
		const char *state, const ctl_info *in)
{
	char up[32] = "-", size[32] = "-", used[16] = "-";

	if (in) {
		cli_duration(in->uptime_s, up, sizeof(up));
		cli_bytes(in->store_size, size, sizeof(size));
		if (in->store_size)
			snprintf(used, sizeof(used), "%.0f%%",
				 100.0 * (double)(in->store_size -
						  in->store_avail) /
					 (double)in->store_size);
	}
	printf("%-4s %-4s %-22s %-12s %-8s %-8s %-11s %-5s %s\n", role, slot,
	       addr, state, up, in ? in->sw_version : "-", size, used,
	       in && in->metrics[0] ? in->metrics : "-");
}

static void status_table(const ctl_status *st, const char *server)
{
	char slot[16], su[32];

	printf("%-4s %-4s %-22s %-12s %-8s %-8s %-11s %-5s %s\n", "ROLE",
	       "SLOT", "ADDRESS", "STATE", "UPTIME", "VERSION", "CAPACITY",
	       "USED", "METRICS");
	row("mds", "-", server, "up", &st->self);
	for (u_int i = 0; i < st->ds.ds_len; i++) {
		const ctl_ds_status *d = &st->ds.ds_val[i];
		char state[32];

		snprintf(slot, sizeof(slot), "%u", d->slot);
		if (d->state == CTL_DS_UP || d->seen_ago == 0xffffffffu)
			snprintf(state, sizeof(state), "%s", ds_state(d->state));
		else
			snprintf(state, sizeof(state), "%s %us",
				 ds_state(d->state), d->seen_ago);
		row("ds", slot, d->addr, state,
		    d->state == CTL_DS_UP ? d->info : NULL);
	}
	if (st->self.node)
		printf("\nnode %u of cluster %s: owns %u of %u partitions; "
		       "%llu inodes, %llu entries; sub-compounds sent %llu, "
		       "served %llu",
		       st->self.node, st->self.cluster,
		       st->self.partitions_owned, st->self.partitions,
		       (unsigned long long)st->self.inodes,
		       (unsigned long long)st->self.entries,
		       (unsigned long long)st->self.subs_sent,
		       (unsigned long long)st->self.subs_served);
	printf("\ngrace: %s", st->self.grace ? "ACTIVE" : "off");
	if (st->self.grace)
		printf(" (%u clients still to reclaim)",
		       st->self.reclaim_pending);
	printf("; lease %u s; heartbeat %u s", st->self.lease_time,
	       st->heartbeat);
	if (st->ds.ds_len)
		printf("; pNFS over %u data servers, stripe unit %s, device "
		       "epoch %u",
		       st->ds.ds_len, cli_bytes(st->stripe_unit, su, sizeof(su)),
		       st->device_epoch);
	printf("\n");
}

int cmd_status(struct cli *cli)
{
	ctl_status_res res;
	int rc = 0;

	memset(&res, 0, sizeof(res));
	if (cli_fetch(cli, CTL_STATUS, (xdrproc_t)xdr_ctl_status_res, &res,
		      "status") < 0)
		return 1;
	if (cli->json)
		cli_print_json(status_json(&res.ctl_status_res_u.st,
					   cli->server));
	else
		status_table(&res.ctl_status_res_u.st, cli->server);
	for (u_int i = 0; i < res.ctl_status_res_u.st.ds.ds_len; i++)
		if (res.ctl_status_res_u.st.ds.ds_val[i].state != CTL_DS_UP)
			rc = 3;
	xdr_free((xdrproc_t)xdr_ctl_status_res, &res);
	return rc;
}
