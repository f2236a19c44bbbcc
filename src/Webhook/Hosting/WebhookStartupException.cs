namespace Platform.Webhook.Hosting;

/// <summary>
/// The webhook cannot start with the configuration it was given (a policy with errors, a
/// certificate that does not load). Program prints <see cref="Errors"/> and exits non-zero.
/// </summary>
internal sealed class WebhookStartupException : Exception
{
    public WebhookStartupException(string message, IReadOnlyList<string> errors)
        : base(message + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}
