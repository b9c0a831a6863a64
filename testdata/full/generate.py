# Writes one JSON document per operation of Stash's OpenAPI files with every
# field set to a distinct value, for the full-payload tests (*_test.go:
# TestFullPayload*). Run from the repository root with the directory of
# stashgg/public-api's docs/gen as the argument.
import json, sys, itertools
src = sys.argv[1]
n = itertools.count(1)
def fill(s, path):
    if 'enum' in s:
        vals = s['enum']
        return vals[1 + next(n) % (len(vals) - 1)]
    t = s.get('type')
    if t == 'array':
        return [fill(s['items'], path + '[]')]
    if t == 'object' and 'additionalProperties' in s:
        i = next(n)
        return {'k%d' % i: 'v%d' % i}
    if t == 'object' or 'properties' in s:
        return {k: fill(v, path + '.' + k) for k, v in s.get('properties', {}).items()}
    if t == 'string':
        if s.get('format') == 'date-time':
            return '2026-01-%02dT%02d:%02d:00Z' % (1 + next(n) % 28, next(n) % 24, next(n) % 60)
        if s.get('format') == 'int64':
            return str(1000 + next(n))
        return '%s-%d' % (path.split('.')[-1].strip('[]') or 's', next(n))
    if t == 'integer':
        return 100 + next(n)
    if t == 'number':
        return next(n) + 0.5
    if t == 'boolean':
        return True
    raise Exception(path)
ops = {
    'swagger.ingress.v1.json': {'products': 'v1ListProductsResponse', 'product': 'v1GetProductResponse',
                                'loyalty': 'v1GetLoyaltyResponse', 'player_loyalty': 'v1GetPlayerLoyaltyResponse'},
    'swagger.v1.json': {'catalog': 'v1GetCatalogResponse', 'offer_details': 'v1GetOfferDetailsResponse', 'player': 'v1GetPlayerResponse'},
}
ONEOF = ('product', 'chain', 'info', 'free')
texts = itertools.count()
def one_member(v):
    # A protobuf oneof takes one member: an entry with every member filled
    # becomes one entry per member, of a price (amount | priceId) the
    # product keeps the amount, a chain link the price ID, and a text
    # (localizationKey | localizedText) one of the two.
    if isinstance(v, list):
        out = []
        for x in v:
            if isinstance(x, dict) and sum(k in x for k in ONEOF) > 1:
                out.extend(one_member({k: x[k]}) for k in ONEOF if k in x)
            else:
                out.append(one_member(x))
        return out
    if isinstance(v, dict):
        v = {k: one_member(x) for k, x in v.items()}
        if 'localizationKey' in v and 'localizedText' in v:
            # LocalizableText's oneof localization: the texts keep the key
            # and the localized text in turn, so that both are covered.
            del v[('localizedText', 'localizationKey')[next(texts) % 2]]
        for k, keep in (('product', 'amount'), ('links', 'priceId')):
            items = v[k] if isinstance(v.get(k), list) else [v.get(k)]
            for it in items:
                price = it.get('price') if isinstance(it, dict) else None
                if isinstance(price, dict) and 'amount' in price and 'priceId' in price:
                    it['price'] = {keep: price[keep]}
        return v
    return v
for f, defs in ops.items():
    d = json.load(open(src + '/' + f))['definitions']
    for name, de in defs.items():
        doc = one_member(fill(d[de], ''))
        json.dump(doc, open('testdata/full/%s.json' % name, 'w'), indent=1, sort_keys=True)
        open('testdata/full/%s.json' % name, 'a').write('\n')
