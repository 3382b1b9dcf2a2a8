-- The committee pack's classes as typst, for the fallback's PDF (pack.typst defines the calls):
--   [text]{.rag .rag-g}  -> #rag-g[text]       RAG colour as well as the letter
--   ::: {.cover}         -> #cover[...]        the cover page, then the contents (with --toc)
--   [text]{.running-head} -> the page header's right-hand text, not shown in the body
--   ::: {.keep}          -> an unbreakable block (a report card's heading, reasons and chart)
--   ::: {.newpage}       -> a page break before the block
--   ::: {.wide-table}    -> 7pt text, so a 13-month table keeps each figure and its letter on one line
-- HTML is untouched: there the same classes are styled by CSS.
if not FORMAT:match("typst") then
  return {}
end

local function has(el, class)
  for _, c in ipairs(el.classes) do
    if c == class then return true end
  end
  return false
end

function Span(el)
  for _, c in ipairs(el.classes) do
    local letter = c:match("^rag%-([gar])$")
    if letter then
      local out = { pandoc.RawInline("typst", "#rag-" .. letter .. "[") }
      for _, x in ipairs(el.content) do table.insert(out, x) end
      table.insert(out, pandoc.RawInline("typst", "]"))
      return out
    end
  end
  if has(el, "running-head") then
    local out = { pandoc.RawInline("typst", "#running-head.update[") }
    for _, x in ipairs(el.content) do table.insert(out, x) end
    table.insert(out, pandoc.RawInline("typst", "]"))
    return out
  end
end

local function wrap(el, open)
  local out = { pandoc.RawBlock("typst", open) }
  for _, b in ipairs(el.content) do table.insert(out, b) end
  table.insert(out, pandoc.RawBlock("typst", "]"))
  return out
end

local toc = PANDOC_WRITER_OPTIONS and PANDOC_WRITER_OPTIONS.table_of_contents
local contents = "#outline(title: [Contents], depth: 2)"
local covered = false

function Div(el)
  if has(el, "cover") then
    covered = true
    local out = wrap(el, "#cover[")
    if toc then table.insert(out, pandoc.RawBlock("typst", contents)) end
    return out
  elseif has(el, "keep") then
    return wrap(el, "#block(breakable: false, width: 100%)[")
  elseif has(el, "wide-table") then
    return wrap(el, "#block(width: 100%)[#set text(size: 7pt)")
  elseif has(el, "newpage") then
    local out = { pandoc.RawBlock("typst", "#pagebreak(weak: true)") }
    for _, b in ipairs(el.content) do table.insert(out, b) end
    return out
  end
end

-- the contents follow the cover; a document without one opens with them
function Pandoc(doc)
  if toc and not covered then
    table.insert(doc.blocks, 1, pandoc.RawBlock("typst", contents))
  end
  return doc
end
