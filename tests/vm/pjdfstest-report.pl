#!/usr/bin/perl
# tests/vm/pjdfstest-report.pl TAPDIR TESTSDIR OUTDIR [EXPECTED]
#
# Reads the per-file TAP that tests/vm/guest/pjdfstest-exec.sh kept
# (TAPDIR/<dir>/<NN.t>.{tap,rc}) for every test file under TESTSDIR (the
# pjdfstest tests/ tree that was run), and writes
#   OUTDIR/failures.txt         one line per failing file: "<dir>/<NN.t> <assertions>",
#                               the format of an expected-failures file
#   OUTDIR/failures-detail.txt  every "not ok" line (what was tried, expected, got)
#   OUTDIR/results.tsv          file, planned, passed, failed, todo, exit status
# A failure is an assertion reported "not ok" (not "# TODO"), or one in the
# plan that never reported (the file died or timed out); a file whose exit
# status is not 0, that printed no plan, or that did not run at all, fails as
# a whole ("exit=N", "noplan", "notrun"): only "*" in an expected list covers that.
#
# With EXPECTED, every failure must be listed there, else exit 1. Its lines:
#   <file or glob> <assertions>   # reason
# where <file> is relative to tests/ (e.g. chmod/12.t, or chflags/* ), and
# <assertions> is "*" (any, including whole-file failures) or numbers and
# ranges separated by commas or spaces (1-4,7). "#" starts a comment; blank
# lines are ignored. Listed failures that passed are reported (the list can
# shrink) but do not fail the run.
# Env: PJD_SUBSET="DIR FILE ..." (relative to tests/): only those files count (subset runs).
# Exit: 0 no unexpected failure, 1 unexpected failures, 3 usage/input errors.
use strict;
use warnings;
use File::Find;

my ($tapdir, $testsdir, $outdir, $expected) = @ARGV;
die "usage: $0 TAPDIR TESTSDIR OUTDIR [EXPECTED]\n" unless $tapdir && $testsdir && $outdir;
-d $testsdir or do { print STDERR "pjdfstest-report: no $testsdir\n"; exit 3 };

# the test files: every .t under tests/, or only those a subset run had TAP for
my @files;
find({ no_chdir => 1, wanted => sub {
  return unless /\.t$/ && -f $_;
  (my $r = $File::Find::name) =~ s{^\Q$testsdir\E/}{};
  push @files, $r;
} }, $testsdir);
@files = sort @files;
if ($ENV{PJD_SUBSET}) {
  my @pre = map { s{/+$}{}r } split ' ', $ENV{PJD_SUBSET};
  @files = grep { my $f = $_; grep { $f eq $_ || index($f, "$_/") == 0 } @pre } @files;
}

sub ranges {   # (1,2,3,5) -> "1-3,5"
  my @n = sort { $a <=> $b } @_; my @out;
  while (@n) {
    my $s = shift @n; my $e = $s;
    $e = shift @n while @n && $n[0] == $e + 1;
    push @out, $s == $e ? $s : "$s-$e";
  }
  return join(',', @out);
}

my (%fail, %detail, @rows);
my ($tot_plan, $tot_pass, $tot_fail, $tot_todo, $files_ok, $files_bad) = (0) x 6;
for my $f (@files) {
  my $tap = "$tapdir/$f.tap";
  my ($plan, %ok, %notok, @lines); my $todo = 0;
  my $rc = -e "$tapdir/$f.rc" ? do { open(my $h, '<', "$tapdir/$f.rc") or die; my $x = <$h>; chomp $x; $x } : undef;
  my @whole;
  if (!-e $tap) {
    push @whole, 'notrun';
  } else {
    open(my $h, '<', $tap) or die "$tap: $!";
    while (my $l = <$h>) {
      chomp $l;
      if ($l =~ /^1\.\.(\d+)/) { $plan = $1 }
      elsif ($l =~ /^ok (\d+)/) { $ok{$1} = 1; $todo++ if $l =~ /#\s*TODO/i }
      elsif ($l =~ /^not ok (\d+)(.*)/) {
        my ($n, $rest) = ($1, $2);
        if ($rest =~ /#\s*TODO/i) { $ok{$n} = 1; $todo++ }
        else { $notok{$n} = 1; push @lines, $l }
      }
    }
    close $h;
    push @whole, 'noplan' unless defined $plan;
    push @whole, "exit=$rc" if defined $rc && $rc ne '0';
    push @whole, 'norc' unless defined $rc;
  }
  my @bad = keys %notok;
  if (defined $plan) { for my $i (1 .. $plan) { push @bad, $i if !$ok{$i} && !$notok{$i} } }
  my %u = map { $_ => 1 } @bad; @bad = sort { $a <=> $b } keys %u;
  my $p = $plan // 0;
  my $npass = grep { !$notok{$_} } keys %ok;
  $tot_plan += $p; $tot_pass += $npass; $tot_fail += @bad; $tot_todo += $todo;
  push @rows, join("\t", $f, $p, $npass, scalar(@bad), $todo, $rc // '-');
  if (@bad || @whole) {
    $files_bad++;
    $fail{$f} = { n => [@bad], whole => [@whole] };
    $detail{$f} = [@lines];
    my %seen = map { /^not ok (\d+)/ ? ($1 => 1) : () } @lines;
    push @{$detail{$f}}, "missing: " . ranges(grep { !$seen{$_} } @bad) if grep { !$seen{$_} } @bad;
    push @{$detail{$f}}, "file: @whole" if @whole;
  } else { $files_ok++ }
}

mkdir $outdir unless -d $outdir;
open(my $F, '>', "$outdir/failures.txt") or die;
open(my $D, '>', "$outdir/failures-detail.txt") or die;
for my $f (sort keys %fail) {
  my @spec = (ranges(@{$fail{$f}{n}}), @{$fail{$f}{whole}});
  printf $F "%-22s %s\n", $f, join(' ', grep { length } @spec);
  print $D "== $f\n", map { "  $_\n" } @{$detail{$f}};
}
close $F; close $D;
open(my $R, '>', "$outdir/results.tsv") or die;
print $R "file\tplanned\tpassed\tfailed\ttodo\texit\n", map { "$_\n" } @rows;
close $R;

printf "pjdfstest: files %d: %d passed, %d failed; assertions %d planned: %d passed (%d TODO), %d failed\n",
  scalar(@files), $files_ok, $files_bad, $tot_plan, $tot_pass, $tot_todo, $tot_fail;
printf "pjdfstest: failures by test file (%s):\n", "$outdir/failures.txt";
for my $f (sort keys %fail) { printf "  %-22s %s\n", $f, join(' ', grep { length } ranges(@{$fail{$f}{n}}), @{$fail{$f}{whole}}) }

exit 0 unless $expected;
# ---- compare with the expected list
open(my $E, '<', $expected) or do { print STDERR "pjdfstest-report: cannot read $expected: $!\n"; exit 3 };
my @exp;    # [glob-regex, all?, {n=>1}, line]
while (my $l = <$E>) {
  chomp $l; (my $c = $l) =~ s/#.*//; next unless $c =~ /\S/;
  my ($pat, @spec) = split ' ', $c;
  my ($all, %n) = (0);
  for my $s (map { split /,/ } @spec) {
    if ($s eq '*') { $all = 1 }
    elsif ($s =~ /^(\d+)-(\d+)$/) { $n{$_} = 1 for $1 .. $2 }
    elsif ($s =~ /^\d+$/) { $n{$s} = 1 }
    else { print STDERR "pjdfstest-report: $expected:$.: bad assertion spec '$s'\n"; exit 3 }
  }
  $all = 1 unless @spec;   # a file alone means the whole file
  (my $re = quotemeta $pat) =~ s/\\\*/[^\/]*/g; $re =~ s/\\\?/[^\/]/g;
  push @exp, [qr/^$re$/, $all, \%n, $l, $pat =~ /[*?]/];
}
close $E;
sub covered {   # covered FILE, ASSERTION-or-word
  my ($f, $a) = @_;
  for my $e (@exp) {
    next unless $f =~ $e->[0];
    return 1 if $e->[1] || ($a =~ /^\d+$/ && $e->[2]{$a});
  }
  return 0;
}
my (@unexp, @fixed);
for my $f (sort keys %fail) {
  my @u = grep { !covered($f, $_) } @{$fail{$f}{n}};
  my @w = grep { !covered($f, $_) } @{$fail{$f}{whole}};
  push @unexp, sprintf("%-22s %s", $f, join(' ', grep { length } ranges(@u), @w)) if @u || @w;
}
my %ran = map { $_ => 1 } @files;
for my $e (@exp) {
  for my $f (grep { $_ =~ $e->[0] } @files) {
    my %fl = map { $_ => 1 } @{($fail{$f} // {n => []})->{n}};
    my @p = $e->[1] ? () : grep { !$fl{$_} } sort { $a <=> $b } keys %{$e->[2]};
    push @fixed, sprintf("%-22s %s", $f, ranges(@p)) if @p;
    push @fixed, sprintf("%-22s (whole file listed, passes)", $f) if $e->[1] && !$e->[4] && !$fail{$f};
  }
}
if (@fixed) { print "pjdfstest: listed in $expected but passing now (the list can shrink):\n", map { "  $_\n" } @fixed }
if (@unexp) {
  print "pjdfstest: UNEXPECTED failures (not in $expected):\n", map { "  $_\n" } @unexp;
  exit 1;
}
print "pjdfstest: every failure is in $expected\n";
exit 0;
