namespace Platform.NodeAgent.Labels;

/// <summary>A Node taint the agent keeps on its GPU node, written <c>key=value:Effect</c> or <c>key:Effect</c>.</summary>
internal sealed record NodeTaint(string Key, string? Value, string Effect)
{
    public static readonly string[] Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static bool TryParse(string text, out NodeTaint? taint, out string error)
    {
        taint = null;
        error = string.Empty;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' has no effect; write key=value:NoSchedule (effects: {string.Join(", ", Effects)}).";
            return false;
        }

        var effect = text[(colon + 1)..].Trim();
        if (!Effects.Contains(effect, StringComparer.Ordinal))
        {
            error = $"'{text}' has effect '{effect}'; use one of {string.Join(", ", Effects)}.";
            return false;
        }

        var keyValue = text[..colon];
        var equals = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = (equals < 0 ? keyValue : keyValue[..equals]).Trim();
        var value = equals < 0 ? null : keyValue[(equals + 1)..].Trim();
        if (key.Length == 0)
        {
            error = $"'{text}' has an empty key; write key=value:Effect.";
            return false;
        }

        taint = new NodeTaint(key, string.IsNullOrEmpty(value) ? null : value, effect);
        return true;
    }

    public override string ToString() => Value is null ? $"{Key}:{Effect}" : $"{Key}={Value}:{Effect}";
}
