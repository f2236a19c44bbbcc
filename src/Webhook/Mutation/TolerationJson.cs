using System.Text.Json.Nodes;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Reads a toleration of a pod as the scheduler does: a missing, empty or non-string field is "no
/// text", and an empty operator means Equal.</summary>
internal static class TolerationJson
{
    public static TolerationIdentity IdentityOf(JsonObject toleration)
    {
        var op = JsonRead.String(toleration, "operator");
        return new TolerationIdentity(
            JsonRead.String(toleration, "key") ?? string.Empty,
            string.IsNullOrEmpty(op) ? Toleration.EqualOperator : op,
            JsonRead.String(toleration, "value") ?? string.Empty,
            JsonRead.String(toleration, "effect") ?? string.Empty);
    }

    /// <summary>The identities of every toleration in <paramref name="tolerations"/>, in one pass.</summary>
    public static HashSet<TolerationIdentity> IdentitiesOf(JsonArray? tolerations, CancellationToken cancellationToken)
    {
        var identities = new HashSet<TolerationIdentity>();
        if (tolerations is null)
        {
            return identities;
        }

        foreach (var item in tolerations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (item is JsonObject toleration)
            {
                identities.Add(IdentityOf(toleration));
            }
        }

        return identities;
    }
}
