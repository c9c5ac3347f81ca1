using System.Collections.Generic;

namespace Acme.Store
{
    public class OrderRepository  // {{EXPECT}}
    {
        private readonly Dictionary<int, Order> _orders = new();

        public OrderRepository(string connection) { }

        public void Save(Order order) => _orders[order.Id] = order;

        public Order? Find(int id) => _orders.GetValueOrDefault(id);
    }
}
