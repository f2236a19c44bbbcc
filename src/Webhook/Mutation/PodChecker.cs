using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Mutation;

/// <summary>Checks a patched pod the way the API server would before it is persisted. A patch that yields an
/// invalid pod rejects the pod even with failurePolicy Ignore, so the webhook must never send one.</summary>
internal static class PodChecker
{
    /// <summary>Returns the first problem found, or null when the pod is fine.</summary>
    public static string? Check(JsonObject pod)
    {
        V1Pod typed;
        try
        {
            typed = KubernetesJson.Deserialize<V1Pod>(pod);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return $"the patched object does not parse as a Pod: {e.Message}";
        }

        if (typed?.Spec?.Containers is not { Count: > 0 })
        {
            return "the patched pod has no containers";
        }

        foreach (var container in typed.Spec.Containers.Concat(typed.Spec.InitContainers ?? []))
        {
            if (CheckExtendedResources(container) is { } problem)
            {
                return problem;
            }
        }

        return CheckTolerations(pod);
    }

    private static string? CheckExtendedResources(V1Container container)
    {
        var limits = container.Resources?.Limits;
        foreach (var (name, request) in container.Resources?.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            if (!KubernetesNames.IsExtendedResource(name))
            {
                continue;
            }

            if (limits is null || !limits.TryGetValue(name, out var limit))
            {
                return $"container {container.Name} requests {name} without a limit";
            }

            if (request.ToDecimal() != limit.ToDecimal())
            {
                return $"container {container.Name} requests {request} {name} but limits {limit}; extended resources need them equal";
            }
        }

        return null;
    }

    private static string? CheckTolerations(JsonObject pod)
    {
        if (JsonRead.Array(pod["spec"], "tolerations") is not { } tolerations)
        {
            return null;
        }

        var list = tolerations.OfType<JsonObject>().ToList();
        for (var i = 0; i < list.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Toleration.SameIdentity(list[i], list[j]))
                {
                    return $"tolerations {j} and {i} are the same toleration";
                }
            }
        }

        return null;
    }
}
