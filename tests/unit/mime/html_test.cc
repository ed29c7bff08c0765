// Tests for mime/html.h.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "mime/html.h"

using namespace sendguard::mime;

namespace {
std::string Render(std::string_view html, std::vector<std::string>* uris = nullptr) {
  std::string text;
  std::vector<std::string> local;
  RenderHtml(html, &text, uris ? uris : &local);
  return text;
}
}  // namespace

BOOST_AUTO_TEST_CASE(html_strips_tags_and_collapses_space) {
  BOOST_TEST(Render("<p>Hello   <b>big</b>\n world</p>") == "Hello big world\n");
  BOOST_TEST(Render("a<br>b<br/>c") == "a\nb\nc");
  BOOST_TEST(Render("<table><tr><td>x</td><td>y</td></tr></table>") == "x y\n");
  BOOST_TEST(Render("1 < 2 and a<>b") == "1 < 2 and a<>b");
}

BOOST_AUTO_TEST_CASE(html_drops_script_style_comments) {
  BOOST_TEST(Render("a<script>var s='<p>x</p>';</script>b") == "ab");
  BOOST_TEST(Render("a<STYLE type=x>p{}</Style>b") == "ab");
  BOOST_TEST(Render("a<!-- hidden <b>text</b> -->b<!DOCTYPE html>c") == "abc");
  BOOST_TEST(Render("a<script>never closed") == "a");
}

BOOST_AUTO_TEST_CASE(html_entities) {
  BOOST_TEST(Render("&lt;&gt;&amp;&quot;&apos;&nbsp;x") == "<>&\"'\xC2\xA0x");
  BOOST_TEST(Render("caf&eacute; &#233; &#xE9; &#Xe9") == "caf\xC3\xA9 \xC3\xA9 \xC3\xA9 \xC3\xA9");
  BOOST_TEST(Render("&#128;&#x2014;&hellip;") == "\xE2\x82\xAC\xE2\x80\x94\xE2\x80\xA6");
  BOOST_TEST(Render("&#0;&#99999999999;") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  BOOST_TEST(Render("AT&T &unknown; &amp") == "AT&T &unknown; &");
  // Entity-obfuscated words are readable for rules.
  BOOST_TEST(Render("&#86;&#105;&#97;gra") == "Viagra");
}

BOOST_AUTO_TEST_CASE(html_collects_link_attributes) {
  std::vector<std::string> uris;
  std::string text = Render(
      "<a HREF=\"http://a.example/?x=1&amp;y=2\">click</a>"
      "<img src='http://img.example/p.gif' alt=x><form action=http://f.example/post>"
      "<a href=\"relative.html\">r</a><a>no href</a><a href=>empty</a>",
      &uris);
  BOOST_TEST(text == "click\nrno hrefempty");  // <form> is a block
  BOOST_TEST_REQUIRE(uris.size() == 4u);
  BOOST_TEST(uris[0] == "http://a.example/?x=1&y=2");
  BOOST_TEST(uris[1] == "http://img.example/p.gif");
  BOOST_TEST(uris[2] == "http://f.example/post");
  BOOST_TEST(uris[3] == "relative.html");
}

BOOST_AUTO_TEST_CASE(html_unclosed_constructs_end_at_input_end) {
  std::vector<std::string> uris;
  BOOST_TEST(Render("x<a href=\"http://never.closed", &uris) == "x");
  BOOST_TEST(uris.size() == 1u);
  BOOST_TEST(Render("x<!-- open comment") == "x");
}
