#!/usr/bin/perl
# tests/agreement/sa_oracle.pl — SpamAssassin itself as the oracle for what
# a rule means: scans messages with Mail::SpamAssassin (Debian's package)
# and prints, per message, one JSON line with the score, the scoring rules
# hit (with their scores) and the "__" sub-rules hit.
#
#   sa_oracle.pl --rules DIR [--time] FILE...
#
# Local tests only: no DNS, no Bayes, no auto-welcomelist, no user prefs, no
# site local.cf. Plugins are those Debian's /etc/spamassassin/*.pre load by
# default (copied into a private site directory, so the host's local.cf is
# not read). --time adds one last line {"messages":N,"seconds":S,"bytes":B}
# timing check() alone (parsing and rule loading excluded).
# Exit 0 on success, 2 on a usage or setup error.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use Getopt::Long;
use JSON::PP;
use Time::HiRes qw(time);
use Mail::SpamAssassin;

my ($rules, $timing);
GetOptions('rules=s' => \$rules, 'time' => \$timing) && $rules && @ARGV
  or die "usage: sa_oracle.pl --rules DIR [--time] FILE...\n";

my $home = tempdir(CLEANUP => 1);
my $site = "$home/site";
mkdir $site or die "mkdir $site: $!\n";
for my $pre (glob '/etc/spamassassin/*.pre') {
  copy($pre, $site) or die "copy $pre: $!\n";
}

my $sa = Mail::SpamAssassin->new({
  rules_filename       => $rules,
  site_rules_filename  => $site,
  userprefs_filename   => "$home/user_prefs",
  userstate_dir        => "$home/state",
  local_tests_only     => 1,
  dont_copy_prefs      => 1,
  post_config_text     => "use_bayes 0\nuse_auto_whitelist 0\nuse_txrep 0\n" .
                          "bayes_auto_learn 0\ntime_limit 0\n",
});
$sa->compile_now(0, 1);

my $json = JSON::PP->new->canonical;
my ($seconds, $bytes, $count) = (0, 0, 0);
for my $file (@ARGV) {
  open(my $fh, '<:raw', $file) or die "$file: $!\n";
  my $raw = do { local $/; <$fh> };
  close $fh;
  my $mail = $sa->parse($raw);
  my $start = time;
  my $status = $sa->check($mail);
  $seconds += time - $start;
  $bytes += length $raw;
  $count++;
  my %hits = %{ $status->get_names_of_tests_hit_with_scores_hash() };
  my @sub = sort split /,/, $status->get_names_of_subtests_hit();
  print $json->encode({ file => $file, score => $status->get_score() + 0,
                        hits => \%hits, subrules => \@sub }), "\n";
  $status->finish();
  $mail->finish();
}
print $json->encode({ messages => $count, seconds => $seconds, bytes => $bytes }), "\n"
  if $timing;
