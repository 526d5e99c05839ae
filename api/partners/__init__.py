"""Partner sites: the external sites an organization works with (a maternity ward a laboratory
sends results to), their contacts and the partner space that serves each (routes.py), and what
an external contact may see of the organization's directory (visibility.py)."""
