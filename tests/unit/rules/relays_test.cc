// Tests for rules/received.h and rules/relays.h: SpamAssassin's reading of
// Received headers and its trust path. Every expected value below is what
// SpamAssassin 4.0.1 itself printed for the same input (its
// parse_received_line and PerMsgStatus::get on the pseudo-headers), not what
// sendguard was believed to do.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mime/parser.h"
#include "rules/received.h"
#include "rules/relays.h"
#include "test_util.h"

using namespace sendguard;                  // NOLINT
using namespace sendguard::rules;           // NOLINT
using namespace sendguard::rules::testing;  // NOLINT

namespace {

// What the SpamAssassin-side script printed: the relay's as_string and
// " private=0|1", or SKIPPED / UNPARSEABLE.
std::string Described(const ReceivedParse& p) {
  if (p.kind == ReceivedKind::kSkipped || p.kind == ReceivedKind::kFetcherMarker) return "SKIPPED";
  if (p.kind == ReceivedKind::kUnparseable) return "UNPARSEABLE";
  return RelayString(p.relay) + " private=" + (p.relay.ip_private ? "1" : "0");
}

const std::vector<std::pair<std::string, std::string>> kFormats = {
    {"from localhost (unknown [127.0.0.1]) by cabbage.jmason.org (Postfix) with ESMTP id A96E18BD97 for <jm@localhost>; Thu, 13 Mar 2003 15:23:15 -0500 (EST)",
     "[ ip=127.0.0.1 rdns= helo=localhost by=cabbage.jmason.org ident= envfrom= intl=0 id=A96E18BD97 auth= msa=0 ] private=1"},
    {"from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id 4F1A2B3C4D for <a@example.org>; Mon, 1 Jun 2020 10:00:00 +0000 (UTC)",
     "[ ip=209.85.221.49 rdns=mail-wr1-f49.google.com helo=mail-wr1-f49.google.com by=mx.example.org ident= envfrom= intl=0 id=4F1A2B3C4D auth= msa=0 ] private=0"},
    {"from client.example.net (dsl-1-2-3-4.example.net [192.0.2.44]) (Authenticated sender: bob) by smtp.example.org (Postfix) with ESMTPSA id 1234ABCD; Mon, 1 Jun 2020 10:00:00 +0000",
     "[ ip=192.0.2.44 rdns=dsl-1-2-3-4.example.net helo=client.example.net by=smtp.example.org ident= envfrom= intl=0 id=1234ABCD auth=ESMTPSA msa=0 ] private=0"},
    {"from mail1.insuranceiq.com (host66.insuranceiq.com [65.217.159.66] (may be forged)) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id h2F0c2x31856 for <jm@jmason.org>; Sat, 15 Mar 2003 00:38:03 GMT",
     "[ ip=65.217.159.66 rdns=host66.insuranceiq.com helo=mail1.insuranceiq.com by=dogma.slashnull.org ident= envfrom= intl=0 id=h2F0c2x31856 auth= msa=0 ] private=0"},
    {"from ran-out.mx.develooper.com (IDENT:qmailr@one.develooper.com [64.81.84.115]) by dogma.slashnull.org (8.11.6/8.11.6) with SMTP id h381Vvf19860 for <jm-cpan@jmason.org>; Tue, 8 Apr 2003 02:31:57 +0100",
     "[ ip=64.81.84.115 rdns=one.develooper.com helo=ran-out.mx.develooper.com by=dogma.slashnull.org ident=qmailr envfrom= intl=0 id=h381Vvf19860 auth= msa=0 ] private=0"},
    {"from sc8-sf-list1-b.sourceforge.net ([10.3.1.13] helo=sc8-sf-list1.sourceforge.net) by sc8-sf-list2.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18t301-0007Bh-00; Wed, 12 Mar 2003 01:58:13 -0800",
     "[ ip=10.3.1.13 rdns=sc8-sf-list1-b.sourceforge.net helo=sc8-sf-list1.sourceforge.net by=sc8-sf-list2.sourceforge.net ident= envfrom= intl=0 id=18t301-0007Bh-00 auth= msa=0 ] private=1"},
    {"from [218.19.142.229] (helo=hotmail.com ident=yiuhyotp) by yzordderrex with smtp (Exim 3.35 #1 (Debian)) id 194BE5-0005Zh-00; Sat, 12 Apr 2003 03:58:53 +0100",
     "[ ip=218.19.142.229 rdns= helo=hotmail.com by=yzordderrex ident=yiuhyotp envfrom= intl=0 id=194BE5-0005Zh-00 auth= msa=0 ] private=0"},
    {"from andrew by trinity.supernews.net with local (Exim 4.12) id 18xeL6-000Dn1-00; Tue, 25 Mar 2003 02:39:00 +0000",
     "SKIPPED"},
    {"from postfix3-2.free.fr (HELO machine.domain.com) (foobar@213.228.0.169) by totor.bouissou.net with SMTP; 14 Nov 2003 08:05:50 -0000",
     "[ ip=213.228.0.169 rdns=postfix3-2.free.fr helo=machine.domain.com by=totor.bouissou.net ident=foobar envfrom= intl=0 id= auth= msa=0 ] private=0"},
    {"from unknown (HELO terpsichore.farfalle.com) (jdavid@[216.254.40.70]) (envelope-sender <jdavid@farfalle.com>) by mail13.speakeasy.net (qmail-ldap-1.03) with SMTP for <jm@jmason.org>; 12 Feb 2003 18:23:19 -0000",
     "[ ip=216.254.40.70 rdns= helo=terpsichore.farfalle.com by=mail13.speakeasy.net ident=jdavid envfrom=jdavid@farfalle.com intl=0 id= auth= msa=0 ] private=0"},
    {"from x71-x56-x24-5.webspeed.dk (HELO niels) (69.96.3.15) by la.mx.develooper.com (qpsmtpd/0.27-dev) with SMTP; Fri, 02 Jan 2004 19:26:52 -0800",
     "[ ip=69.96.3.15 rdns=x71-x56-x24-5.webspeed.dk helo=niels by=la.mx.develooper.com ident= envfrom= intl=0 id= auth= msa=0 ] private=0"},
    {"from inet-vrs-05.redmond.corp.microsoft.com ([157.54.6.157]) by INET-IMC-05.redmond.corp.microsoft.com with Microsoft SMTPSVC(5.0.2195.6624); Thu, 6 Mar 2003 12:02:35 -0800",
     "[ ip=157.54.6.157 rdns= helo=inet-vrs-05.redmond.corp.microsoft.com by=INET-IMC-05.redmond.corp.microsoft.com ident= envfrom= intl=0 id= auth= msa=0 ] private=0"},
    {"from EXC-DAG-02.global.net (10.45.252.152) by EXC-DAG-02.global.net (10.45.252.152) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) id 15.1.1261.35; Mon, 29 Oct 2018 11:17:19 +0100",
     "[ ip=10.45.252.152 rdns=EXC-DAG-02.global.net helo=EXC-DAG-02.global.net by=EXC-DAG-02.global.net ident= envfrom= intl=0 id=15.1.1261.35 auth= msa=0 ] private=1"},
    {"from AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226]) by AM5PR0402MB2836.eurprd04.prod.outlook.com ([fe80::19bd:c588:dd17:5226%6]) with mapi id 15.20.1943.023; Wed, 5 Jun 2019 10:17:08 +0000",
     "[ ip=fe80::19bd:c588:dd17:5226 rdns= helo=AM5PR0402MB2836.eurprd04.prod.outlook.com by=AM5PR0402MB2836.eurprd04.prod.outlook.com ident= envfrom= intl=0 id= auth= msa=0 ] private=1"},
    {"from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with [XMail 1.20 ESMTP Server] id <S72E> for <jason@ellingson.org.spamassassin.org> from <bounce-cscommunity-11965901@list.cramsession.com.spamassassin.org>; Sat, 18 Sep 2004 23:17:54 -0500",
     "[ ip=63.146.189.86 rdns= helo=list.brainbuzz.com by=mx1.yourtech.net ident= envfrom=bounce-cscommunity-11965901@list.cramsession.com.spamassassin.org intl=0 id=S72E auth= msa=0 ] private=0"},
    {"from ([192.168.1.151:49601] helo=dev1.democracyinaction.org) by m12.prod.democracyinaction.com (ecelerity 2.1.1.3 r(11743)) with ESMTP id 52/92-02454-89FBA054 for <example@vandinter.org>; Fri, 15 Sep 2006 10:58:32 -0400",
     "[ ip=192.168.1.151 rdns= helo=dev1.democracyinaction.org by=m12.prod.democracyinaction.com ident= envfrom= intl=0 id=52/92-02454-89FBA054 auth= msa=0 ] private=1"},
    {"from [192.168.1.104] (account nazgul HELO [192.168.1.104]) by somewhere.com (CommuniGate Pro SMTP 3.5.7) with ESMTP-TLS id 2088434; Fri, 07 Mar 2003 13:05:06 -0500",
     "[ ip=192.168.1.104 rdns= helo=!192.168.1.104! by=somewhere.com ident= envfrom= intl=0 id=2088434 auth=Communigate msa=0 ] private=1"},
    {"from cabbage.jmason.org [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for jm@localhost (single-drop); Thu, 13 Mar 2003 20:39:56 -0800 (PST)",
     "SKIPPED"},
    {"FROM hackers.mr.itd.umich.edu (smtp.mail.umich.edu [141.211.14.81]) BY madman.mr.itd.umich.edu ID 434B508E.174A6.13932 ; 11 Oct 2005 01:41:34 -0400",
     "[ ip=141.211.14.81 rdns=smtp.mail.umich.edu helo=hackers.mr.itd.umich.edu by=madman.mr.itd.umich.edu ident= envfrom= intl=0 id=434B508E.174A6.13932 auth= msa=0 ] private=0"},
    {"(qmail 27981 invoked by uid 225); 14 Mar 2003 07:24:34 -0000",
     "SKIPPED"},
    {"from 142.169.110.122 (SquirrelMail authenticated user synapse) by mail.nomis80.org with HTTP; Sat, 3 Apr 2004 10:33:43 -0500 (EST)",
     "[ ip=142.169.110.122 rdns= helo= by=mail.nomis80.org ident= envfrom= intl=0 id= auth=HTTP msa=0 ] private=0"},
    {"from gandalf ([4.37.75.131]) (authenticated bits=0) by herald.cc.purdue.edu (8.12.5/8.12.5/herald) with ESMTP id g9JLefrm028228 for <spamassassin-talk@lists.sourceforge.net>; Sat, 19 Oct 2002 16:40:41 -0500 (EST)",
     "[ ip=4.37.75.131 rdns= helo=gandalf by=herald.cc.purdue.edu ident= envfrom= intl=0 id=g9JLefrm028228 auth=Sendmail msa=0 ] private=0"},
    {"from Agni (localhost [::ffff:127.0.0.1]) (TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA) by agni.forevermore.net with esmtp; Mon, 28 Oct 2002 14:48:52 -0800",
     "[ ip=127.0.0.1 rdns=localhost helo=Agni by=agni.forevermore.net ident= envfrom= intl=0 id= auth= msa=0 ] private=1"},
    {"from virtual-access.org by bolero.conactive.com ; Thu, 20 Feb 2003 23:32:58 +0100",
     "SKIPPED"},
    {"from mail.example.com (mail.example.com [2001:db8::25]) by mx.example.org (Postfix) with ESMTPS id 4F1A2B; Mon, 1 Jun 2020 10:00:00 +0000",
     "[ ip=2001:db8::25 rdns=mail.example.com helo=mail.example.com by=mx.example.org ident= envfrom= intl=0 id=4F1A2B auth= msa=0 ] private=0"},
    {"from weird thing happened here; Mon, 1 Jun 2020 10:00:00 +0000",
     "UNPARSEABLE"},
    {"from raptor.research.att.com (bala@localhost) by raptor.research.att.com (SGI-8.9.3/8.8.7) with ESMTP id KAA14788 for <asrg@example.com>; Fri, 7 Mar 2003 10:37:56 -0500 (EST)",
     "SKIPPED"},
    {"from mail.sxptt.zj.cn ([218.0.185.24]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id h2FH0Zx11330 for <webmaster@efi.ie>; Sat, 15 Mar 2003 17:00:41 GMT",
     "[ ip=218.0.185.24 rdns= helo=mail.sxptt.zj.cn by=dogma.slashnull.org ident= envfrom= intl=0 id=h2FH0Zx11330 auth= msa=0 ] private=0"},
    {"from 213.123.174.21 by lw11fd.law11.hotmail.msn.com with HTTP; Wed, 24 Jul 2002 16:36:44 GMT",
     "[ ip=213.123.174.21 rdns= helo= by=lw11fd.law11.hotmail.msn.com ident= envfrom= intl=0 id= auth=HTTP msa=0 ] private=0"},
    {"from [129.24.215.125] by ws1-7.us4.outblaze.com with http for _bushisevil_@mail.com; Thu, 13 Feb 2003 15:59:28 -0500",
     "[ ip=129.24.215.125 rdns= helo= by=ws1-7.us4.outblaze.com ident= envfrom= intl=0 id= auth=http msa=0 ] private=0"},
    {"from boggle.ihug.co.nz [203.109.252.209] by grunt6.ihug.co.nz with esmtp (Exim 3.35 #1 (Debian)) id 18SWRe-0006X6-00; Sun, 29 Dec 2002 18:57:06 +1300",
     "[ ip=203.109.252.209 rdns=boggle.ihug.co.nz helo=boggle.ihug.co.nz by=grunt6.ihug.co.nz ident= envfrom= intl=0 id=18SWRe-0006X6-00 auth= msa=0 ] private=0"},
    {"from TCE-E-7-182-54.bta.net.cn(202.106.182.54) via SMTP by st.tahina.priv.at, id smtpdEDUB8h; Sun Nov 13 14:50:12 2005",
     "[ ip=202.106.182.54 rdns=TCE-E-7-182-54.bta.net.cn helo= by=st.tahina.priv.at ident= envfrom= intl=0 id=smtpdEDUB8h auth= msa=0 ] private=0"},
};

const char kMessage[] =
    "Received: from mx.example.org (mx.example.org [192.168.1.5]) by inbox.example.org (Postfix) with ESMTP id AAA1; Mon, 1 Jun 2020 10:00:02 +0000\n"
    "Received: from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id BBB2; Mon, 1 Jun 2020 10:00:01 +0000\n"
    "Received: from [10.0.0.7] (dsl.example.net [198.51.100.7]) (Authenticated sender: bob) by smtp.example.com (Postfix) with ESMTPSA id CCC3; Mon, 1 Jun 2020 10:00:00 +0000\n"
    "From: bob@example.com\n"
    "Subject: hi\n"
    "X-Originating-IP: [203.0.113.9]\n"
    "\n"
    "body\n";

std::map<std::string, std::string> PseudoOf(const mime::ParsedMessage& msg) {
  std::map<std::string, std::string> out;
  for (const mime::Header& h : msg.pseudo_headers) out[h.name] = h.decoded;
  return out;
}

TrustNetworks Networks(const std::vector<std::string>& trusted, const std::vector<std::string>& internal,
                       const std::vector<std::string>& msa) {
  TrustNetworks t;
  for (const std::string& n : trusted) t.trusted.push_back(*IpPrefix::Parse(n));
  for (const std::string& n : internal) t.internal.push_back(*IpPrefix::Parse(n));
  for (const std::string& n : msa) t.msa.push_back(*IpPrefix::Parse(n));
  t.trusted_configured = !trusted.empty();
  t.internal_configured = !internal.empty();
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_received_pattern_compiles) { BOOST_TEST(ReceivedPatternsCompile()); }

BOOST_AUTO_TEST_CASE(received_formats_read_as_spamassassin_reads_them) {
  for (const auto& [line, expected] : kFormats) {
    BOOST_TEST_CONTEXT(line) { BOOST_TEST(Described(ParseReceived(line)) == expected); }
  }
}

BOOST_AUTO_TEST_CASE(folded_received_is_read_as_one_line) {
  ReceivedParse p = ParseReceived(
      " from mx.example.net (mx.example.net [198.51.100.3])\r\n\tby relay.example.org (Postfix) with ESMTP id 4F1A2B3C;\r\n\tMon, 1 Jun 2020 10:00:00 +0000");
  BOOST_TEST(Described(p) ==
             "[ ip=198.51.100.3 rdns=mx.example.net helo=mx.example.net by=relay.example.org ident= envfrom= "
             "intl=0 id=4F1A2B3C auth= msa=0 ] private=0");
}

BOOST_AUTO_TEST_CASE(private_ranges_are_spamassassins) {
  for (const char* ip : {"10.1.2.3", "127.0.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.1", "192.168.0.1",
                         "100.64.0.1", "fe80::1", "::1", "::ffff:10.0.0.1"})
    BOOST_TEST(IsPrivateIp(ip), ip);
  for (const char* ip : {"172.32.0.1", "100.128.0.1", "192.0.2.1", "2001:db8::1", "fc00::1", ""})
    BOOST_TEST(!IsPrivateIp(ip), ip);
}

BOOST_AUTO_TEST_CASE(default_inference_trusts_private_and_authenticated_relays_until_the_first_other) {
  mime::ParsedMessage msg = mime::Parse(kMessage, mime::ScanLimits());
  AddRelayPseudoHeaders(&msg, TrustNetworks(), RelayPseudoHeaderNames());
  std::map<std::string, std::string> got = PseudoOf(msg);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"X-Spam-Relays-Trusted",
       "[ ip=192.168.1.5 rdns=mx.example.org helo=mx.example.org by=inbox.example.org ident= envfrom= intl=1 id=AAA1 auth= msa=0 ]"},
      {"X-Spam-Relays-Untrusted",
       "[ ip=209.85.221.49 rdns=mail-wr1-f49.google.com helo=mail-wr1-f49.google.com by=mx.example.org ident= envfrom= intl=0 id=BBB2 auth= msa=0 ] [ ip=198.51.100.7 rdns=dsl.example.net helo=!10.0.0.7! by=smtp.example.com ident= envfrom= intl=0 id=CCC3 auth=ESMTPSA msa=0 ] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]"},
      {"X-Spam-Relays-Internal",
       "[ ip=192.168.1.5 rdns=mx.example.org helo=mx.example.org by=inbox.example.org ident= envfrom= intl=1 id=AAA1 auth= msa=0 ]"},
      {"X-Spam-Relays-External",
       "[ ip=209.85.221.49 rdns=mail-wr1-f49.google.com helo=mail-wr1-f49.google.com by=mx.example.org ident= envfrom= intl=0 id=BBB2 auth= msa=0 ] [ ip=198.51.100.7 rdns=dsl.example.net helo=!10.0.0.7! by=smtp.example.com ident= envfrom= intl=0 id=CCC3 auth=ESMTPSA msa=0 ] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]"},
      {"ALL-TRUSTED",
       "Received: from mx.example.org (mx.example.org [192.168.1.5]) by inbox.example.org (Postfix) with ESMTP id AAA1; Mon, 1 Jun 2020 10:00:02 +0000\nReceived: from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id BBB2; Mon, 1 Jun 2020 10:00:01 +0000"},
      {"ALL-EXTERNAL",
       "Received: from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id BBB2; Mon, 1 Jun 2020 10:00:01 +0000\nReceived: from [10.0.0.7] (dsl.example.net [198.51.100.7]) (Authenticated sender: bob) by smtp.example.com (Postfix) with ESMTPSA id CCC3; Mon, 1 Jun 2020 10:00:00 +0000\nFrom: bob@example.com\nSubject: hi\nX-Originating-IP: [203.0.113.9]"},
  };
  for (const auto& [name, value] : expected) BOOST_TEST(got[name] == value, name);
}

BOOST_AUTO_TEST_CASE(only_the_wanted_pseudo_headers_are_made) {
  mime::ParsedMessage msg = mime::Parse(kMessage, mime::ScanLimits());
  AddRelayPseudoHeaders(&msg, TrustNetworks(), {});
  BOOST_TEST(msg.pseudo_headers.empty());
  AddRelayPseudoHeaders(&msg, TrustNetworks(), {"X-Spam-Relays-External", "ALL-EXTERNAL"});
  std::map<std::string, std::string> got = PseudoOf(msg);
  BOOST_TEST(got.size() == 2u);
  mime::ParsedMessage every = mime::Parse(kMessage, mime::ScanLimits());
  AddRelayPseudoHeaders(&every, TrustNetworks(), RelayPseudoHeaderNames());
  std::map<std::string, std::string> all = PseudoOf(every);
  BOOST_TEST(all.size() == 8u);
  BOOST_TEST(got["X-Spam-Relays-External"] == all["X-Spam-Relays-External"]);
  BOOST_TEST(got["ALL-EXTERNAL"] == all["ALL-EXTERNAL"]);
}

BOOST_AUTO_TEST_CASE(a_rule_set_lists_the_pseudo_headers_its_rules_read) {
  auto set = MustLoad("header R1 X-Spam-Relays-External =~ /rdns= /\nscore R1 1\n"
                      "header R2 exists:ALL-TRUSTED\nscore R2 1\n"
                      "header R3 Subject =~ /x/\nscore R3 1\n");
  BOOST_REQUIRE(set);
  std::vector<std::string> read = set->relay_headers_read();
  std::sort(read.begin(), read.end());
  BOOST_TEST((read == std::vector<std::string>{"ALL-TRUSTED", "X-Spam-Relays-External"}));
}

BOOST_AUTO_TEST_CASE(configured_networks_and_msa_decide_trust) {
  mime::ParsedMessage msg = mime::Parse(kMessage, mime::ScanLimits());
  AddRelayPseudoHeaders(&msg, Networks({"192.168.1.0/24", "209.85.221.0/24"}, {"192.168.1.0/24"},
                                       {"209.85.221.0/24"}),
                        RelayPseudoHeaderNames());
  std::map<std::string, std::string> got = PseudoOf(msg);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"X-Spam-Relays-Trusted",
       "[ ip=192.168.1.5 rdns=mx.example.org helo=mx.example.org by=inbox.example.org ident= envfrom= intl=1 id=AAA1 auth= msa=0 ] [ ip=209.85.221.49 rdns=mail-wr1-f49.google.com helo=mail-wr1-f49.google.com by=mx.example.org ident= envfrom= intl=0 id=BBB2 auth= msa=1 ] [ ip=198.51.100.7 rdns=dsl.example.net helo=!10.0.0.7! by=smtp.example.com ident= envfrom= intl=0 id=CCC3 auth=ESMTPSA msa=0 ] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]"},
      {"X-Spam-Relays-Untrusted",
       ""},
      {"X-Spam-Relays-Internal",
       "[ ip=192.168.1.5 rdns=mx.example.org helo=mx.example.org by=inbox.example.org ident= envfrom= intl=1 id=AAA1 auth= msa=0 ]"},
      {"X-Spam-Relays-External",
       "[ ip=209.85.221.49 rdns=mail-wr1-f49.google.com helo=mail-wr1-f49.google.com by=mx.example.org ident= envfrom= intl=0 id=BBB2 auth= msa=1 ] [ ip=198.51.100.7 rdns=dsl.example.net helo=!10.0.0.7! by=smtp.example.com ident= envfrom= intl=0 id=CCC3 auth=ESMTPSA msa=0 ] [ ip=203.0.113.9 rdns= helo= by= ident= envfrom= intl=0 id= auth= msa=0 ]"},
      {"ALL-TRUSTED",
       "Received: from mx.example.org (mx.example.org [192.168.1.5]) by inbox.example.org (Postfix) with ESMTP id AAA1; Mon, 1 Jun 2020 10:00:02 +0000\nReceived: from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id BBB2; Mon, 1 Jun 2020 10:00:01 +0000\nReceived: from [10.0.0.7] (dsl.example.net [198.51.100.7]) (Authenticated sender: bob) by smtp.example.com (Postfix) with ESMTPSA id CCC3; Mon, 1 Jun 2020 10:00:00 +0000\nFrom: bob@example.com\nSubject: hi\nX-Originating-IP: [203.0.113.9]"},
      {"ALL-EXTERNAL",
       "Received: from mail-wr1-f49.google.com (mail-wr1-f49.google.com [209.85.221.49]) by mx.example.org (Postfix) with ESMTPS id BBB2; Mon, 1 Jun 2020 10:00:01 +0000\nReceived: from [10.0.0.7] (dsl.example.net [198.51.100.7]) (Authenticated sender: bob) by smtp.example.com (Postfix) with ESMTPSA id CCC3; Mon, 1 Jun 2020 10:00:00 +0000\nFrom: bob@example.com\nSubject: hi\nX-Originating-IP: [203.0.113.9]"},
  };
  for (const auto& [name, value] : expected) BOOST_TEST(got[name] == value, name);
}

BOOST_AUTO_TEST_CASE(relay_rules_hit_and_stay_unknown_without_pseudo_headers) {
  auto set = MustLoad(
      "header RDNS_NONE_TEST X-Spam-Relays-Untrusted =~ /^[^\\]]+ rdns= /\n"
      "header LAST_EXT_NO_AUTH X-Spam-Relays-External =~ /^[^\\]]+ auth= /\n"
      "header NOT_FROM_GOOGLE X-Spam-Relays-External !~ /rdns=\\S+\\.google\\.com /\n"
      "header EXT_HAS_SUBJECT ALL-EXTERNAL =~ /^Subject: hi$/m\n");
  BOOST_REQUIRE(set);
  mime::ParsedMessage msg = mime::Parse(kMessage, mime::ScanLimits());
  ScanResult unknown;
  BOOST_REQUIRE(set->Scan(msg, &unknown).ok());
  BOOST_TEST(unknown.hits.empty());  // not supplied: neither =~ nor !~ hits
  AddRelayPseudoHeaders(&msg, TrustNetworks(), set->relay_headers_read());  // as the daemon and scan do
  ScanResult r;
  BOOST_REQUIRE(set->Scan(msg, &r).ok());
  BOOST_TEST(!Hit(r, "RDNS_NONE_TEST"));  // the first untrusted relay has an rDNS
  BOOST_TEST(Hit(r, "LAST_EXT_NO_AUTH"));
  BOOST_TEST(!Hit(r, "NOT_FROM_GOOGLE"));
  BOOST_TEST(Hit(r, "EXT_HAS_SUBJECT"));
}

BOOST_AUTO_TEST_CASE(the_daemons_handover_comes_first_as_postfix_writes_it) {
  std::string line = ReceivedForClient("laptop.example.com", "", "203.0.113.50", "smtp.example.org", true, true, "4F1A2B3C");
  BOOST_TEST(line == "from laptop.example.com (unknown [203.0.113.50]) by smtp.example.org (Postfix) with ESMTPSA id 4F1A2B3C");
  BOOST_TEST(Described(ParseReceived(line)) ==
             "[ ip=203.0.113.50 rdns= helo=laptop.example.com by=smtp.example.org ident= envfrom= intl=0 id=4F1A2B3C "
             "auth=ESMTPSA msa=0 ] private=0");
  mime::ParsedMessage msg = mime::Parse("From: a@example.com\nSubject: x\n\nbody\n", mime::ScanLimits());
  AddRelayPseudoHeaders(&msg, TrustNetworks(), RelayPseudoHeaderNames(), {line});
  std::map<std::string, std::string> got = PseudoOf(msg);
  // Authenticated: trusted and internal on the delivered message.
  BOOST_TEST(got["X-Spam-Relays-Untrusted"] == "");
  BOOST_TEST(got["X-Spam-Relays-Trusted"].find("intl=1") != std::string::npos);
  std::string unauth = ReceivedForClient("pc", "", "203.0.113.50", "smtp.example.org", false, false, "5D6E7F80");
  AddRelayPseudoHeaders(&msg, TrustNetworks(), RelayPseudoHeaderNames(), {unauth});
  got = PseudoOf(msg);
  BOOST_TEST(got["X-Spam-Relays-Untrusted"] ==
             "[ ip=203.0.113.50 rdns= helo=pc by=smtp.example.org ident= envfrom= intl=0 id=5D6E7F80 auth= msa=0 ]");
  BOOST_TEST(got["ALL-EXTERNAL"].rfind("Received: from pc (unknown [203.0.113.50])", 0) == 0);
}
