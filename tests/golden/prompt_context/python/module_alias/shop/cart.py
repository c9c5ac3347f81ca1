import shop.units as units


def add_item(cart, name, raw):
    slug = units.slugify(name)
    # {{CURSOR}}
    cart[slug] = size
