"""`articlebot prompts`: the templates, where each comes from, and its variables."""

from __future__ import annotations

import click

from bot.cli.app import cli


@cli.command()
@click.option("--show", "show_name", metavar="NAME", help="Print one template's messages.")
def prompts(show_name: str | None) -> None:
    """List the prompt templates (built-in and from PROMPTS_DIR)."""
    from bot.llm.templates import BUILTIN_PROMPTS_DIR, load_templates  # langchain: only here
    from bot.settings import get_settings

    prompts_dir = get_settings().prompts_dir
    registry = load_templates(prompts_dir)
    if show_name:
        template = registry.get(show_name)
        click.echo(f"# {template.name} ({template.path})\n")
        click.echo(template.prompt.pretty_repr())
        return
    for template in registry:
        origin = "built-in" if template.builtin else f"user: {template.path}"
        click.echo(f"{template.name}  [{origin}]")
        click.echo(f"    {template.description}")
        click.echo(f"    variables: {', '.join(template.variables)}")
    click.echo(f"\nsummary styles: {', '.join(registry.styles())}")
    click.echo(f"built-in templates: {BUILTIN_PROMPTS_DIR}")
    if prompts_dir is not None:
        click.echo(f"your templates (PROMPTS_DIR): {prompts_dir}")
