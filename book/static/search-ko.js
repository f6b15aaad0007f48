/* Sphinx's Korean catalogue leaves the search summary empty ("" for "Search finished, found N
   pages ..."): give it a Korean sentence, in the register of Sphinx's other Korean messages. */
Documentation.addTranslations({
  locale: "ko",
  plural_expr: "0",
  messages: {
    "Search finished, found one page matching the search query.": [
      "검색이 끝났습니다. 검색어와 일치하는 페이지를 ${resultCount}개 찾았습니다.",
    ],
  },
});
