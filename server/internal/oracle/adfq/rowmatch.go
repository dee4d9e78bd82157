package adfq

import "strings"

// Rowmatch expressions (framework version 2 and later), by recursive descent:
//
//	expr      = and { OR and }
//	and       = unary { AND unary }
//	unary     = NOT unary | "(" expr ")" | condition
//	condition = operand ( comparison value
//	                    | [NOT] LIKE string
//	                    | [NOT] IN "(" value { "," value } ")"
//	                    | [NOT] BETWEEN value AND value
//	                    | IS [NOT] NULL )
//	operand   = Attribute | (UPPER | LOWER) "(" Attribute ")"
//
// AND binds tighter than OR; keywords are any case, attribute names exact. Every NOT and
// every parenthesis counts towards the depth.

// parser reads conditions from tokens; qbe says query-by-example (version 1) values.
type parser struct {
	toks []token
	i    int
	cat  *Catalogue
	b    *bounds
	qbe  bool
}

func parseRowmatch(src []rune, c *Catalogue, b *bounds) (Expr, error) {
	toks, err := tokens(src, 0, len(src), false)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == kEOF {
		return nil, nil // blank
	}
	p := &parser{toks: toks, cat: c, b: b}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != kEOF {
		if t.kind == kRParen {
			return nil, t.errorf("this ) closes no (")
		}
		return nil, t.errorf("expected AND, OR or the end of q")
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) take() token {
	t := p.toks[p.i]
	if t.kind != kEOF && t.kind != kErr { // the last token: it stays
		p.i++
	}
	return t
}

func (p *parser) expr(depth int) (Expr, error) {
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.peek().keyword("OR") {
		p.take()
		next, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &orExpr{terms: terms}, nil
}

func (p *parser) and(depth int) (Expr, error) {
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.peek().keyword("AND") {
		p.take()
		next, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, next)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &andExpr{terms: terms}, nil
}

func (p *parser) unary(depth int) (Expr, error) {
	t := p.peek()
	if t.keyword("NOT") || t.kind == kLParen {
		if depth+1 > MaxDepth {
			return nil, t.errorf("q nests deeper than %d (parentheses and NOT)", MaxDepth)
		}
	}
	switch {
	case t.keyword("NOT"):
		p.take()
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	case t.kind == kLParen:
		p.take()
		x, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if closing := p.take(); closing.kind != kRParen {
			if closing.kind == kEOF {
				return nil, closing.errorf("the ( at position %d has no closing )", t.pos)
			}
			return nil, closing.errorf("expected AND, OR or the ) closing the ( at position %d", t.pos)
		}
		return x, nil
	}
	return p.condition()
}

func (p *parser) condition() (Expr, error) {
	start := p.peek()
	c := &condition{}
	attrToken := p.take()
	switch {
	case attrToken.keyword("UPPER") || attrToken.keyword("LOWER"):
		c.fold = upperASCII(attrToken.text)
		if open := p.take(); open.kind != kLParen {
			return nil, open.errorf("expected ( after %s", c.fold)
		}
		attrToken = p.take()
		a, err := p.attribute(attrToken)
		if err != nil {
			return nil, err
		}
		if a.Type != Text {
			return nil, attrToken.errorf("%s applies to text, and %s is %s", c.fold, a.Name, a.Type)
		}
		c.attr = a
		if closing := p.take(); closing.kind != kRParen {
			return nil, closing.errorf("expected ) closing %s(", c.fold)
		}
	default:
		a, err := p.attribute(attrToken)
		if err != nil {
			return nil, err
		}
		c.attr = a
	}
	if err := p.b.condition(start); err != nil {
		return nil, err
	}
	if err := p.predicate(c, p.take()); err != nil {
		return nil, err
	}
	return c, nil
}

// predicate reads what follows a condition's operand, from its operator token on.
func (p *parser) predicate(c *condition, opToken token) error {
	if opToken.keyword("NOT") {
		c.negated = true
		opToken = p.take()
		if !opToken.keyword("LIKE") && !opToken.keyword("IN") && !opToken.keyword("BETWEEN") {
			return opToken.errorf("expected LIKE, IN or BETWEEN after NOT")
		}
	}
	switch {
	case opToken.kind == kOp:
		c.op = comparisons[opToken.text]
		return p.values(c, 1)
	case opToken.keyword("LIKE"):
		c.op = opLike
		if err := checkOperator(c.attr, opLike, opToken); err != nil {
			return err
		}
		if t := p.peek(); t.kind != kString && !(p.qbe && t.kind == kWord) {
			return t.errorf("LIKE takes a quoted pattern")
		}
		if err := p.values(c, 1); err != nil {
			return err
		}
		if p.qbe {
			// Query-by-example writes any run of characters as *.
			c.values[0].text = strings.ReplaceAll(c.values[0].text, "*", "%")
		}
		return nil
	case opToken.keyword("IN"):
		c.op = opIn
		open := p.take()
		if open.kind != kLParen {
			return open.errorf("expected ( after IN")
		}
		for {
			if err := p.values(c, 1); err != nil {
				return err
			}
			sep := p.take()
			if sep.kind == kRParen {
				return nil
			}
			if sep.kind != kComma {
				return sep.errorf("expected , or ) in the IN list opened at position %d", open.pos)
			}
		}
	case opToken.keyword("BETWEEN"):
		c.op = opBetween
		if err := p.values(c, 1); err != nil {
			return err
		}
		if and := p.take(); !and.keyword("AND") {
			return and.errorf("expected AND between the two values of BETWEEN")
		}
		return p.values(c, 1)
	case opToken.keyword("IS"):
		c.op = opIsNull
		if c.fold != "" {
			return opToken.errorf("IS NULL applies to the attribute itself, not to %s(%s)", c.fold, c.attr.Name)
		}
		next := p.take()
		if next.keyword("NOT") {
			c.negated = true
			next = p.take()
		}
		if !next.keyword("NULL") {
			return next.errorf("expected NULL after IS")
		}
		return nil
	}
	if opToken.kind == kEOF {
		return opToken.errorf("expected an operator after %s", c.attr.Name)
	}
	return opToken.errorf("expected an operator (= != <> < > <= >= LIKE IN BETWEEN IS) after %s", c.attr.Name)
}

// attribute reads an attribute name.
func (p *parser) attribute(t token) (Attribute, error) {
	if t.kind != kWord || t.isKeyword() {
		if t.kind == kEOF {
			return Attribute{}, t.errorf("expected an attribute")
		}
		return Attribute{}, t.errorf("expected an attribute, UPPER(, LOWER(, NOT or (")
	}
	a, ok := p.cat.Lookup(t.text)
	if !ok {
		return Attribute{}, t.errorf("isn't a queryable attribute (attribute names are case-sensitive)")
	}
	return a, nil
}

// values reads n values for c.
func (p *parser) values(c *condition, n int) error {
	for range n {
		t := p.take()
		v, err := readValue(c.attr, t, p.qbe, p.b)
		if err != nil {
			return err
		}
		c.values = append(c.values, v)
	}
	return nil
}
